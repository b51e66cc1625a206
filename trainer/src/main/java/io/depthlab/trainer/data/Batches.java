package io.depthlab.trainer.data;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Cuts an {@link ImageSet} into batches of normalised float input, epoch after epoch.
 *
 * <p>Each epoch visits every example exactly once. With {@link Builder#shuffle(long)}, epoch {@code
 * e} visits them in a random order drawn from a {@link SplittableRandom} seeded with a mix of the
 * shuffle seed and {@code e}: a different order every epoch, the same order for the same epoch in
 * every run, so training can resume at any epoch. Without it, examples come in set order (use that
 * for validation and test). An optional {@link Augmentation} changes each training example on the
 * way, with its own seeded stream per epoch and batch.
 *
 * <pre>{@code
 * Batches batches = Batches.builder(train, Normalization.cifarStudy(), 100)
 *         .shuffle(42)
 *         .augmentation(Augmentation.cropAndFlip(7))
 *         .build();
 * for (int epoch = 0; epoch < epochs; epoch++) {
 *     try (BatchIterator it = batches.epoch(epoch)) {
 *         while (it.hasNext()) {
 *             Batch batch = it.next();
 *             // batch.features(): batch.size() x 3 x 32 x 32 floats; batch.labels()
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>Immutable and thread-safe; each {@link BatchIterator} is for one thread.
 */
public final class Batches {

    /** Default number of batches made ahead on the background thread: {@value}. */
    public static final int DEFAULT_PREFETCH = 2;

    /** The largest prefetch accepted: {@value}. */
    public static final int MAX_PREFETCH = 8;

    private final ImageSet set;
    private final Normalization normalization;
    private final int batchSize;
    private final boolean shuffle;
    private final long shuffleSeed;
    private final Augmentation augmentation;
    private final int prefetch;

    private Batches(Builder builder) {
        this.set = builder.set;
        this.normalization = builder.normalization;
        this.batchSize = builder.batchSize;
        this.shuffle = builder.shuffleSeed != null;
        this.shuffleSeed = shuffle ? builder.shuffleSeed : 0;
        this.augmentation = builder.augmentation;
        this.prefetch = builder.prefetch == null ? DEFAULT_PREFETCH : builder.prefetch;
    }

    /**
     * Starts building batches of {@code set}.
     *
     * @param normalization must fit the set's channel count (per-channel or one for all)
     * @param batchSize examples per batch, at least 1; the last batch of an epoch may be smaller
     */
    public static Builder builder(ImageSet set, Normalization normalization, int batchSize) {
        return new Builder(set, normalization, batchSize);
    }

    /** Optional settings of {@link Batches}; each may be set at most once. Not thread-safe. */
    public static final class Builder {
        private final ImageSet set;
        private final Normalization normalization;
        private final int batchSize;
        private Long shuffleSeed;
        private Augmentation augmentation;
        private Integer prefetch;

        private Builder(ImageSet set, Normalization normalization, int batchSize) {
            this.set = Objects.requireNonNull(set, "set");
            this.normalization = Objects.requireNonNull(normalization, "normalization");
            if (batchSize < 1) {
                throw new IllegalArgumentException(
                        "expected a batch size of at least 1, found " + batchSize);
            }
            normalization.checkChannels(set.channels());
            this.batchSize = batchSize;
        }

        /** Reshuffles every epoch with a stream derived from {@code seed}; default: no shuffle. */
        public Builder shuffle(long seed) {
            checkUnset(shuffleSeed, "shuffle");
            this.shuffleSeed = seed;
            return this;
        }

        /** Augments every example (training only); default: none. */
        public Builder augmentation(Augmentation augmentation) {
            checkUnset(this.augmentation, "augmentation");
            this.augmentation = Objects.requireNonNull(augmentation, "augmentation");
            return this;
        }

        /**
         * Batches made ahead on a background thread, in {@code [0, MAX_PREFETCH]}; 0 makes each
         * batch on the caller's thread. Default {@value #DEFAULT_PREFETCH}.
         */
        public Builder prefetch(int depth) {
            checkUnset(prefetch, "prefetch");
            if (depth < 0 || depth > MAX_PREFETCH) {
                throw new IllegalArgumentException(
                        "expected a prefetch depth in [0, " + MAX_PREFETCH + "], found " + depth);
            }
            this.prefetch = depth;
            return this;
        }

        private static void checkUnset(Object value, String property) {
            if (value != null) {
                throw new IllegalStateException(property + " was already set");
            }
        }

        /** The configured batches. */
        public Batches build() {
            return new Batches(this);
        }
    }

    /** The set the batches come from. */
    public ImageSet set() {
        return set;
    }

    /** Examples per batch (the last batch of an epoch may hold fewer). */
    public int batchSize() {
        return batchSize;
    }

    /** Batches per epoch: the example count divided by the batch size, rounded up. */
    public int batchCount() {
        return (set.count() + batchSize - 1) / batchSize;
    }

    /**
     * The batches of epoch {@code epoch}; close the iterator when done with it.
     *
     * @param epoch counted from 0
     */
    public BatchIterator epoch(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("expected an epoch of at least 0, found " + epoch);
        }
        int[] order = order(epoch);
        return BatchIterator.start(
                epoch, batchCount(), index -> load(epoch, order, index), prefetch);
    }

    /** The order in which epoch {@code epoch} visits the examples. */
    int[] order(int epoch) {
        if (!shuffle) {
            int[] order = new int[set.count()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            return order;
        }
        return Split.permutation(
                set.count(), new SplittableRandom(Seeds.derive(shuffleSeed, epoch)));
    }

    private Batch load(int epoch, int[] order, int index) {
        int start = index * batchSize;
        int size = Math.min(batchSize, set.count() - start);
        int exampleSize = set.exampleSize();
        float[] features = new float[size * exampleSize];
        int[] labels = new int[size];
        byte[] pixels = set.pixelArray();
        byte[] scratch = augmentation == null ? null : new byte[exampleSize];
        SplittableRandom random = augmentation == null ? null : augmentation.random(epoch, index);
        for (int i = 0; i < size; i++) {
            int example = order[start + i];
            labels[i] = set.label(example);
            if (augmentation == null) {
                normalization.apply(
                        pixels, example * exampleSize, features, i * exampleSize, 1, exampleSize);
            } else {
                augmentation.apply(set, example, scratch, 0, random);
                normalization.apply(scratch, 0, features, i * exampleSize, 1, exampleSize);
            }
        }
        return new Batch(features, labels, size);
    }
}
