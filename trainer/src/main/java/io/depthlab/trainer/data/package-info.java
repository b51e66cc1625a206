/**
 * Data sets for the trainer, in pure Java: readers for the official files, in-memory image sets,
 * seeded splits, normalisation, augmentation, batches and downloads.
 *
 * <p>Typical use:
 *
 * <pre>{@code
 * Dataset cifar = Cifar100.load(dir, Cifar100.LabelKind.FINE);
 * Split split = Split.trainValidation(cifar.train(), 2_500, seed);
 * Normalization norm = Normalization.cifarStudy();
 * Batches train = Batches.builder(split.train(), norm, 100)
 *         .shuffle(seed)
 *         .augmentation(Augmentation.cropAndFlip(seed + 1))
 *         .build();
 * Batches valid = Batches.builder(split.validation(), norm, 100).build();
 * }</pre>
 *
 * <p>Readers: {@link io.depthlab.trainer.data.IdxReader} (MNIST-style IDX, plain or gzipped),
 * {@link io.depthlab.trainer.data.Emnist}, {@link io.depthlab.trainer.data.FashionMnist}, {@link
 * io.depthlab.trainer.data.Cifar100} (binary records and the python pickles), {@link
 * io.depthlab.trainer.data.NpyReader} ({@code .npy}/{@code .npz}). Every malformed file is refused
 * with a {@link io.depthlab.trainer.data.DatasetException} that names the file, the offset or
 * record, what was expected and what was found. {@link io.depthlab.trainer.data.DatasetFetcher}
 * downloads and verifies the official files.
 */
package io.depthlab.trainer.data;
