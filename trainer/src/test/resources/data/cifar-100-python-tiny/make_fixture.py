# Writes the tiny CIFAR-100 python-version fixture (train, test, meta) with pickle protocol 2.
# Run from this folder: python3 make_fixture.py /path/to/shared/data/cifar100
import pickle
import sys

import numpy as np

names = sys.argv[1]
fine_names = [l.strip() for l in open(names + "/fine_label_names.txt") if l.strip()]
coarse_names = [l.strip() for l in open(names + "/coarse_label_names.txt") if l.strip()]


def part(count, fine, coarse, label):
    # Pixel j of image i is (7 * i + j) % 256, so a reader's byte order can be checked exactly.
    data = np.array([[(7 * i + j) % 256 for j in range(3072)] for i in range(count)], np.uint8)
    return {
        "filenames": ["img_%d.png" % i for i in range(count)],
        "batch_label": label,
        "fine_labels": fine,
        "coarse_labels": coarse,
        "data": data,
    }


parts = {
    # mountain (49, coarse 10), forest (33, 10), seal (72, 0): the first official test labels.
    "train": part(3, [49, 33, 72], [10, 10, 0], "training batch 1 of 1"),
    "test": part(2, [99, 0], [13, 4], "testing batch 1 of 1"),
    "meta": {"fine_label_names": fine_names, "coarse_label_names": coarse_names},
}
for name, value in parts.items():
    with open(name, "wb") as f:
        pickle.dump(value, f, protocol=2)
