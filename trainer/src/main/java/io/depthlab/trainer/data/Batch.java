package io.depthlab.trainer.data;

import java.util.Objects;

/**
 * One batch of network input: {@code size} examples, normalised, with their labels.
 *
 * <p>The arrays belong to the receiver: a batch iterator never touches them again after handing the
 * batch out, so the engine may wrap them without copying.
 *
 * @param features {@code size * exampleSize} floats, row-major, example after example; NCHW for
 *     images
 * @param labels {@code size} labels, one per example, in the same order
 * @param size the number of examples, at least 1; the last batch of an epoch may be smaller than
 *     the batch size
 */
public record Batch(float[] features, int[] labels, int size) {

    /** Checks that both arrays agree with {@code size}. */
    public Batch {
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(labels, "labels");
        if (size < 1 || labels.length != size || features.length % size != 0) {
            throw new IllegalArgumentException(
                    String.format(
                            "expected %d labels and a multiple of %d features, found %d labels"
                                    + " and %d features",
                            size, size, labels.length, features.length));
        }
    }

    /** Floats per example: {@code features.length / size}. */
    public int exampleSize() {
        return features.length / size;
    }
}
