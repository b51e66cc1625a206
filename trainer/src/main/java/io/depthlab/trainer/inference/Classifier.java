package io.depthlab.trainer.inference;

import io.depthlab.proto.bundle.ModelBundle;

/**
 * A trained network that turns raw examples into class probabilities.
 *
 * <p>Raw examples are what a client holds: for images, pixel values on the 0..255 scale, laid out
 * as the bundle's {@code Preprocessing.input_shape} says. The classifier applies the bundle's
 * preprocessing itself, so that a server and the trainer give the same answer for the same pixels.
 *
 * <p>Implementations are safe for concurrent use by several threads.
 */
public interface Classifier extends AutoCloseable {

    /** The bundle this classifier was loaded from: names, labels, preprocessing, record. */
    ModelBundle bundle();

    /** The number of raw values in one example: the product of the input shape. */
    int inputSize();

    /** The number of classes, and so of probabilities per example. */
    int classCount();

    /**
     * Class probabilities for a batch of raw examples.
     *
     * @param raw {@code batchSize * inputSize()} raw values, example after example
     * @param batchSize the number of examples, at least 1
     * @return {@code batchSize * classCount()} probabilities, example after example; each example's
     *     probabilities sum to 1
     * @throws IllegalArgumentException if {@code raw.length != batchSize * inputSize()}
     */
    float[] predictProbabilities(float[] raw, int batchSize);

    /** Releases native memory; the classifier must not be used afterwards. */
    @Override
    void close();
}
