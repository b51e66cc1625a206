package io.depthlab.trainer.engine;

/**
 * The last layer of a trainable network: it turns the scores of its last {@code forward} into a
 * loss and the loss gradient in one step, which is both cheaper and numerically safer than chaining
 * a loss function's gradient through the head's own Jacobian.
 */
public interface LossHead extends EngineLayer {

    /**
     * The batch-mean loss of the last {@code forward} against {@code labels}.
     *
     * @param labels one class index per example, each in {@code [0, classes)}
     * @throws IllegalArgumentException if a label is out of range or the count differs from the
     *     batch
     */
    double loss(int[] labels);

    /**
     * The number of examples of the last {@code forward} whose highest-scoring class (the first, on
     * ties) is the label.
     */
    int correct(int[] labels);

    /**
     * The gradient of {@link #loss} with respect to this head's last input, a new array owned by
     * the caller. Needs a {@code forward} in training mode.
     */
    org.nd4j.linalg.api.ndarray.INDArray lossGradient(int[] labels);
}
