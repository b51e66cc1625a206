package io.depthlab.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.depthlab.trainer.engine.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class GradientClippingTest {

    @Test
    void clip_aboveMax_scalesAllGradientsToMaxNorm() {
        Parameter a = parameter(3, 0);
        Parameter b = parameter(0, 4);
        try (GradientClipping clipping = new GradientClipping(List.of(a, b), 1)) {

            double norm = clipping.clip();

            // Global norm sqrt(9 + 16) = 5; factor 1/5.
            assertThat(norm).isCloseTo(5, within(1e-6));
            assertThat(a.gradient().getDouble(0)).isCloseTo(0.6, within(1e-6));
            assertThat(b.gradient().getDouble(1)).isCloseTo(0.8, within(1e-6));
        }
    }

    @Test
    void clip_belowMax_leavesGradients() {
        Parameter a = parameter(3, 0);
        Parameter b = parameter(0, 4);
        try (GradientClipping clipping = new GradientClipping(List.of(a, b), 10)) {

            double norm = clipping.clip();

            assertThat(norm).isCloseTo(5, within(1e-6));
            assertThat(a.gradient().getDouble(0)).isEqualTo(3);
            assertThat(b.gradient().getDouble(1)).isEqualTo(4);
        }
    }

    private static Parameter parameter(float g0, float g1) {
        Parameter p = Parameter.weight("p", Nd4j.createFromArray(0f, 0f), List.of());
        p.gradient().assign(Nd4j.createFromArray(g0, g1));
        return p;
    }
}
