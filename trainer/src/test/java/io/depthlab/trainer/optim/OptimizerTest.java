package io.depthlab.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.depthlab.trainer.engine.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One or two steps on {@code w = [1, -2]}; expected values are worked out by hand from the update
 * rules in each optimizer's Javadoc (the arithmetic is shown next to each).
 */
class OptimizerTest {
    private static final double TOLERANCE = 1e-9;

    @Test
    void sgd_oneStep_movesAgainstGradient() {
        Parameter w = parameter(0.5, 0.1);
        try (Optimizer sgd = OptimizerSpec.sgd(0.1).create(List.of(w))) {

            sgd.step(0.1);

            // [1 - 0.1 * 0.5, -2 - 0.1 * 0.1]
            assertValues(w, 0.95, -2.01);
            assertThat(sgd.steps()).isEqualTo(1);
        }
    }

    @Test
    void momentum_twoSteps_accumulatesVelocity() {
        Parameter w = parameter(0.5, 0.1);
        try (Optimizer momentum = OptimizerSpec.momentum(0.1).create(List.of(w))) {

            momentum.step(0.1);
            momentum.step(0.1);

            // v1 = g = [0.5, 0.1]; w1 = [0.95, -2.01]; v2 = 0.9 v1 + g = [0.95, 0.19];
            // w2 = w1 - 0.1 v2 = [0.855, -2.029]
            assertValues(w, 0.855, -2.029);
        }
    }

    @Test
    void adam_firstStep_movesLearningRateAgainstSign() {
        Parameter w = parameter(0.5, 0.1);
        try (Optimizer adam = OptimizerSpec.adam(0.1).create(List.of(w))) {

            adam.step(0.1);

            // With bias correction, m / sqrt(v) = g / |g| on the first step, so w -= lr * sign(g)
            // up to epsilon: [1 - 0.1 * 0.5 / (0.5 + 1e-8), -2 - 0.1 * 0.1 / (0.1 + 1e-8)].
            assertValues(w, 0.900000002, -2.09999999);
        }
    }

    @Test
    void adam_secondStep_usesBiasCorrectedMoments() {
        Parameter w = parameter(0.5, 0.1);
        try (Optimizer adam = OptimizerSpec.adam(0.1).create(List.of(w))) {
            adam.step(0.1);
            w.gradient().assign(Nd4j.createFromArray(-0.5, 0.3));

            adam.step(0.1);

            // m = 0.9 [0.05, 0.01] + 0.1 [-0.5, 0.3] = [-0.005, 0.039];
            // v = 0.999 [2.5e-4, 1e-5] + 0.001 [0.25, 0.09] = [4.9975e-4, 9.999e-5];
            // step size 0.1 / (1 - 0.81); sqrt(v / (1 - 0.999^2)) = [0.5, 0.223645...];
            // w0 = 0.9 + (0.1 / 0.19) * 0.005 / 0.5 = 0.905263..., w1 = -2.1 - 0.0917781...
            assertValues(w, 0.9052631597894736, -2.19177809779441);
        }
    }

    @Test
    void adam_weightDecay_isAddedToTheGradient() {
        Parameter w = parameter(0.5, 0.1);
        try (Optimizer adam = OptimizerSpec.adam(0.1, 0.1).create(List.of(w))) {

            adam.step(0.1);

            // g + 0.1 w = [0.6, -0.1]: the decay flips the second sign, so w1 moves up.
            assertValues(w, 1 - 0.1 * 0.6 / (0.6 + 1e-8), -2 + 0.1 * 0.1 / (0.1 + 1e-8));
        }
    }

    @Test
    void adamW_weightDecay_shrinksWeightsOutsideTheMoments() {
        Parameter w = parameter(0.5, 0.1);
        try (Optimizer adamW = OptimizerSpec.adamW(0.1, 0.1).create(List.of(w))) {

            adamW.step(0.1);

            // w * (1 - 0.1 * 0.1) = [0.99, -1.98], then -= 0.1 * sign(g).
            assertValues(w, 0.99 - 0.1 * 0.5 / (0.5 + 1e-8), -1.98 - 0.1 * 0.1 / (0.1 + 1e-8));
        }
    }

    @Test
    void step_usesTheGivenRateNotTheBase() {
        Parameter w = parameter(0.5, 0.1);
        try (Optimizer sgd = OptimizerSpec.sgd(0.1).create(List.of(w))) {

            sgd.step(0.01);

            assertValues(w, 0.995, -2.001);
        }
    }

    @Test
    void step_nonPositiveRate_throws() {
        Parameter w = parameter(0.5, 0.1);
        try (Optimizer sgd = OptimizerSpec.sgd(0.1).create(List.of(w))) {

            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> sgd.step(0));

            assertThat(e).hasMessageContaining("positive finite learning rate, found 0.0");
        }
    }

    @Test
    void spec_invalidBeta_throwsNamingIt() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> OptimizerSpec.adam(1e-3).withBetas(0.9, 1.0, 1e-8));

        assertThat(e).hasMessage("ADAM optimizer beta2: expected in [0, 1), found 1.0");
    }

    @Test
    void describe_adam_listsHyperparameters() {
        assertThat(OptimizerSpec.adam().describe())
                .isEqualTo("adam(lr=0.001, betas=(0.9, 0.999), eps=1.0E-8, weight_decay=0.0)");
    }

    private static Parameter parameter(double g0, double g1) {
        Parameter w = Parameter.weight("w", Nd4j.createFromArray(1.0, -2.0), List.of());
        w.gradient().assign(Nd4j.createFromArray(g0, g1));
        return w;
    }

    private static void assertValues(Parameter w, double w0, double w1) {
        assertThat(w.value().getDouble(0)).isCloseTo(w0, within(TOLERANCE));
        assertThat(w.value().getDouble(1)).isCloseTo(w1, within(TOLERANCE));
    }
}
