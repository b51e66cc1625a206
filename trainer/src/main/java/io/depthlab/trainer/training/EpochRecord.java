package io.depthlab.trainer.training;

/**
 * What one epoch measured.
 *
 * <p>The training figures are running ones, as the study reports them: the mean over the epoch's
 * batches (weighted by batch size) of each batch's cross-entropy and accuracy, measured in training
 * mode (dropout active) just before that batch's update. The validation figures are measured after
 * the epoch in inference mode (no dropout; batch norm with running statistics). Losses exclude
 * weight penalties.
 *
 * @param epoch the epoch number, from 1
 * @param trainLoss mean cross-entropy over the training batches
 * @param trainAccuracy fraction of training examples classified correctly, in [0, 1]
 * @param validLoss mean cross-entropy over the validation set
 * @param validAccuracy fraction of validation examples classified correctly, in [0, 1]
 * @param seconds wall time of the epoch, training and validation
 * @param learningRate the rate every batch of the epoch used
 */
public record EpochRecord(
        int epoch,
        double trainLoss,
        double trainAccuracy,
        double validLoss,
        double validAccuracy,
        double seconds,
        double learningRate) {}
