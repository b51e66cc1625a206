package io.depthlab.trainer.optim;

/** Checks shared by the optimizers. */
final class Optimizers {

    private Optimizers() {}

    static void checkLearningRate(double learningRate) {
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException(
                    "optimizer step: expected a positive finite learning rate, found "
                            + learningRate);
        }
    }
}
