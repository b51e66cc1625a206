package io.depthlab.trainer.optim;

import java.util.Locale;

/**
 * The learning rate of each epoch, from the optimizer's base rate. Schedules step once per epoch:
 * every batch of an epoch uses the same rate. Epochs count from 1. Implementations are immutable.
 */
public interface LearningRateSchedule {

    /**
     * The learning rate for {@code epoch}.
     *
     * @param base the optimizer's learning rate, positive
     * @param epoch the epoch number, from 1
     */
    double learningRate(double base, int epoch);

    /** A one-line description for records and logs. */
    String describe();

    /** The base rate in every epoch. */
    static LearningRateSchedule constant() {
        return new LearningRateSchedule() {
            @Override
            public double learningRate(double base, int epoch) {
                checkEpoch(epoch);
                return base;
            }

            @Override
            public String describe() {
                return "constant";
            }
        };
    }

    /**
     * {@code base * gamma^floor((epoch - 1) / everyEpochs)}: the rate is multiplied by {@code
     * gamma} after every {@code everyEpochs} epochs.
     *
     * @param everyEpochs at least 1
     * @param gamma in (0, 1]
     */
    static LearningRateSchedule step(int everyEpochs, double gamma) {
        if (everyEpochs < 1) {
            throw new IllegalArgumentException(
                    "step schedule: expected a period of at least 1 epoch, found " + everyEpochs);
        }
        if (!(gamma > 0 && gamma <= 1)) {
            throw new IllegalArgumentException(
                    "step schedule: expected a factor gamma in (0, 1], found " + gamma);
        }
        return new LearningRateSchedule() {
            @Override
            public double learningRate(double base, int epoch) {
                checkEpoch(epoch);
                return base * Math.pow(gamma, (epoch - 1) / everyEpochs);
            }

            @Override
            public String describe() {
                return String.format(Locale.ROOT, "step(every=%d, gamma=%s)", everyEpochs, gamma);
            }
        };
    }

    /**
     * Cosine annealing (Loshchilov and Hutter, 2017) without restarts, as PyTorch's {@code
     * CosineAnnealingLR(T_max = epochs, eta_min = floor)} stepped once per epoch: {@code floor +
     * (base - floor) * (1 + cos(pi * (epoch - 1) / epochs)) / 2}. Epoch 1 trains at {@code base}
     * and the rate falls towards {@code floor}; the study anneals 1e-3 to 2e-5 over 100 epochs.
     * Past {@code epochs + 1} the rate stays at {@code floor}.
     *
     * @param epochs the annealing period, at least 1
     * @param floor the lowest rate, at least 0 and below the base rate
     */
    static LearningRateSchedule cosine(int epochs, double floor) {
        if (epochs < 1) {
            throw new IllegalArgumentException(
                    "cosine schedule: expected a period of at least 1 epoch, found " + epochs);
        }
        if (!(floor >= 0) || !Double.isFinite(floor)) {
            throw new IllegalArgumentException(
                    "cosine schedule: expected a floor >= 0, found " + floor);
        }
        return new LearningRateSchedule() {
            @Override
            public double learningRate(double base, int epoch) {
                checkEpoch(epoch);
                if (!(floor < base)) {
                    throw new IllegalArgumentException(
                            String.format(
                                    Locale.ROOT,
                                    "cosine schedule: expected a floor below the base rate %s,"
                                            + " found %s",
                                    base,
                                    floor));
                }
                double t = Math.min(epoch - 1, epochs);
                return floor + (base - floor) * (1 + Math.cos(Math.PI * t / epochs)) / 2;
            }

            @Override
            public String describe() {
                return String.format(Locale.ROOT, "cosine(epochs=%d, floor=%s)", epochs, floor);
            }
        };
    }

    private static void checkEpoch(int epoch) {
        if (epoch < 1) {
            throw new IllegalArgumentException(
                    "learning-rate schedule: expected an epoch number from 1, found " + epoch);
        }
    }
}
