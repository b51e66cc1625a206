package io.depthlab.trainer.training;

import io.depthlab.trainer.engine.Nd4jNetwork;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of {@link Trainer#train}: the per-epoch records, the gradient flow, the test figures
 * and the trained network, which holds the parameters of the best epoch by validation accuracy.
 *
 * <p>The result owns the network's native memory: {@link #close()} frees it. Not thread safe (the
 * network is not).
 *
 * @param network the trained network, with the best epoch's parameters restored
 * @param epochs one record per epoch, in order
 * @param bestEpoch the epoch (from 1) with the highest validation accuracy, the earliest on ties
 * @param testLoss mean cross-entropy on the test set, best epoch's parameters, inference mode
 * @param testAccuracy fraction of test examples classified correctly, in [0, 1]
 * @param gradientFlow mean absolute weight gradients per epoch
 * @param optimizer the optimizer and schedule, as described in records
 * @param seed the seed of the initial parameters and dropout masks
 * @param batchSize examples per training batch
 * @param trainExamples examples in the training set
 * @param validExamples examples in the validation set
 * @param testExamples examples in the test set
 * @param finishedAt when training (test evaluation included) finished
 */
public record TrainingResult(
        Nd4jNetwork network,
        List<EpochRecord> epochs,
        int bestEpoch,
        double testLoss,
        double testAccuracy,
        GradientFlow gradientFlow,
        String optimizer,
        long seed,
        int batchSize,
        long trainExamples,
        long validExamples,
        long testExamples,
        Instant finishedAt)
        implements AutoCloseable {

    public TrainingResult {
        Objects.requireNonNull(network, "network");
        epochs = List.copyOf(epochs);
        Objects.requireNonNull(gradientFlow, "gradientFlow");
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(finishedAt, "finishedAt");
        if (bestEpoch < 1 || bestEpoch > epochs.size()) {
            throw new IllegalArgumentException(
                    String.format(
                            "best epoch: expected one of 1..%d, found %d",
                            epochs.size(), bestEpoch));
        }
    }

    /** The record of the best epoch. */
    public EpochRecord best() {
        return epochs.get(bestEpoch - 1);
    }

    /** Frees the network. */
    @Override
    public void close() {
        network.close();
    }
}
