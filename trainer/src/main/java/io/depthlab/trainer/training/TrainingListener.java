package io.depthlab.trainer.training;

/**
 * Receives progress from {@link Trainer#train}, on the training thread, e.g. to draw a progress
 * bar. The trainer already logs one INFO line per epoch through SLF4J, so a listener should not log
 * epochs again. Methods must return quickly: they run between batches. Exceptions thrown by a
 * listener abort training and reach the caller of {@code train}.
 *
 * <p>Order per epoch: {@link #onEpochStart}, {@link #onBatch} for every training batch, then {@link
 * #onEpochEnd} after validation and {@link #onGradientFlow} with the record so far.
 */
public interface TrainingListener {

    /** A listener that ignores everything. */
    TrainingListener NONE = new TrainingListener() {};

    /**
     * An epoch begins.
     *
     * @param epoch the epoch number, from 1
     * @param batches the number of training batches it will run
     */
    default void onEpochStart(int epoch, int batches) {}

    /**
     * A training batch finished its update.
     *
     * @param epoch the epoch number, from 1
     * @param batchIndex the batch index within the epoch, from 0
     * @param loss the batch's cross-entropy before the update, with dropout active
     */
    default void onBatch(int epoch, int batchIndex, double loss) {}

    /** An epoch finished, validation included. */
    default void onEpochEnd(EpochRecord record) {}

    /**
     * The gradient-flow record of the epochs finished so far, after each epoch, so that a run
     * stopped early still has the study's plot up to there.
     */
    default void onGradientFlow(GradientFlow soFar) {}
}
