package io.depthlab.trainer.engine;

/**
 * The loss and accuracy of one batch.
 *
 * @param loss the batch-mean cross-entropy, penalties excluded
 * @param correct examples whose most probable class is the label
 * @param examples the batch size
 */
public record BatchResult(double loss, int correct, int examples) {}
