package io.depthlab.trainer.optim;

/**
 * Updates a fixed list of parameters in place from their gradients. Created by {@link
 * OptimizerSpec#create}, which allocates all state (moments, scratch) once, so a step allocates
 * nothing.
 *
 * <p>Call order: after every backward pass that filled the gradients, call {@link #step} once. Not
 * thread safe. {@link #close()} frees the state, not the parameters.
 */
public interface Optimizer extends AutoCloseable {

    /**
     * Applies one update to every parameter. Weight decay, when configured, is applied here and may
     * change the gradients (Adam adds {@code weightDecay * w} to them).
     *
     * @param learningRate this step's learning rate, positive and finite (from a schedule)
     * @throws IllegalArgumentException if {@code learningRate} is not positive and finite
     */
    void step(double learningRate);

    /** The number of steps taken so far. */
    long steps();

    @Override
    void close();
}
