package io.depthlab.trainer.engine;

/**
 * What one training step measured, before the optimizer's update.
 *
 * @param loss the batch-mean cross-entropy with dropout active, penalties excluded
 * @param correct examples whose most probable class was the label
 * @param examples the batch size
 * @param weightGradientMeans the mean absolute data gradient (before penalties) of each weight
 *     tensor, in the order of {@link Nd4jNetwork#weights()}
 */
public record StepResult(double loss, int correct, int examples, double[] weightGradientMeans) {}
