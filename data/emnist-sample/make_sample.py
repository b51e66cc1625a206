#!/usr/bin/env python3
"""Rebuilds the EMNIST sample in this folder from the real data in ../shared/data/.

Only the Python standard library is needed:  python3 make_sample.py SHARED_DATA_DIR

Train: the 9,120 official EMNIST Balanced training images 103,680..112,799, plus 250 images per
class drawn (seed 2017) from the official EMNIST ByMerge test split.
Test: the 304 official EMNIST Balanced test images 18,496..18,799, plus 40 other images per
class drawn from ByMerge test. No image appears twice, within or across the two files.
"""
import gzip
import random
import shutil
import struct
import sys
from pathlib import Path

TRAIN_PER_CLASS = 250
TEST_PER_CLASS = 40
CLASSES = 47
SEED = 2017


def read_idx(path, magic):
    data = gzip.decompress(Path(path).read_bytes())
    found, count = struct.unpack(">II", data[:8])
    assert found == magic, f"{path}: magic {found:#x}"
    header = 16 if magic == 0x803 else 8
    size = 784 if magic == 0x803 else 1
    return [data[header + i * size : header + (i + 1) * size] for i in range(count)]


def write_idx(path, images, labels):
    image_bytes = struct.pack(">IIII", 0x803, len(images), 28, 28) + b"".join(images)
    label_bytes = struct.pack(">II", 0x801, len(labels)) + bytes(labels)
    for name, payload in ((f"{path}-images-idx3-ubyte.gz", image_bytes),
                          (f"{path}-labels-idx1-ubyte.gz", label_bytes)):
        # mtime 0 and no file name, so that rebuilding gives the same bytes.
        with open(name, "wb") as raw, gzip.GzipFile("", "wb", 9, raw, mtime=0) as out:
            out.write(payload)


def main(shared):
    balanced = shared / "emnist-balanced-subset"
    bymerge = shared / "emnist-bymerge-test"
    train_x = read_idx(balanced / "emnist-balanced-train-103680-112799-images-idx3-ubyte.gz", 0x803)
    train_y = list(b"".join(read_idx(
        balanced / "emnist-balanced-train-103680-112799-labels-idx1-ubyte.gz", 0x801)))
    test_x = read_idx(balanced / "emnist-balanced-test-18496-18799-images-idx3-ubyte.gz", 0x803)
    test_y = list(b"".join(read_idx(
        balanced / "emnist-balanced-test-18496-18799-labels-idx1-ubyte.gz", 0x801)))
    merge_x = read_idx(bymerge / "emnist-bymerge-test-images-idx3-ubyte.gz", 0x803)
    merge_y = list(b"".join(read_idx(bymerge / "emnist-bymerge-test-labels-idx1-ubyte.gz", 0x801)))

    seen = set(train_x) | set(test_x)
    by_class = [[] for _ in range(CLASSES)]
    for index, (image, label) in enumerate(zip(merge_x, merge_y)):
        if image not in seen:
            seen.add(image)
            by_class[label].append(index)
    rng = random.Random(SEED)
    for label, indices in enumerate(by_class):
        chosen = rng.sample(indices, TRAIN_PER_CLASS + TEST_PER_CLASS)
        for index in chosen[:TRAIN_PER_CLASS]:
            train_x.append(merge_x[index])
            train_y.append(label)
        for index in chosen[TRAIN_PER_CLASS:]:
            test_x.append(merge_x[index])
            test_y.append(label)

    here = Path(__file__).resolve().parent
    write_idx(here / "emnist-sample-train", train_x, train_y)
    write_idx(here / "emnist-sample-test", test_x, test_y)
    shutil.copyfile(balanced / "emnist-balanced-mapping.txt", here / "emnist-sample-mapping.txt")
    print(f"train {len(train_x)} images, test {len(test_x)} images")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../../../shared/data"))
