package io.depthlab.trainer.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.depthlab.dsl.Initializer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Bounds and moments of each initializer on 200 x 300 tensors (fan-in 200, fan-out 300). With
 * 60,000 draws the sample standard deviation is within 1% of the true one, so the tolerances (2-3%)
 * only fail for a wrong formula.
 */
class InitializersTest {
    private static final long[] SHAPE = {200, 300};
    private static final int FAN_IN = 200;
    private static final int FAN_OUT = 300;

    @Test
    void zerosAndConstant_fillExactly() {
        INDArray zeros = create(Initializer.zeros());
        INDArray constant = create(Initializer.constant(0.25));

        assertThat(zeros.maxNumber().doubleValue()).isZero();
        assertThat(zeros.minNumber().doubleValue()).isZero();
        assertThat(constant.minNumber().doubleValue()).isEqualTo(0.25);
        assertThat(constant.maxNumber().doubleValue()).isEqualTo(0.25);
    }

    @Test
    void uniform_staysInRangeWithUniformMoments() {
        INDArray values = create(Initializer.uniform(-0.5, 1.5));

        assertThat(values.minNumber().doubleValue()).isGreaterThanOrEqualTo(-0.5);
        assertThat(values.maxNumber().doubleValue()).isLessThan(1.5);
        assertThat(values.meanNumber().doubleValue()).isCloseTo(0.5, within(0.01));
        // The standard deviation of U(a, b) is (b - a) / sqrt(12).
        assertStd(values, 2 / Math.sqrt(12));
    }

    @Test
    void normal_hasGivenMeanAndStd() {
        INDArray values = create(Initializer.normal(1, 0.1));

        assertThat(values.meanNumber().doubleValue()).isCloseTo(1, within(0.002));
        assertStd(values, 0.1);
    }

    @Test
    void glorotUniform_boundedBySqrtSixOverFanSum() {
        double limit = Math.sqrt(6.0 / (FAN_IN + FAN_OUT));

        INDArray values = create(Initializer.glorotUniform());

        assertThat(values.amaxNumber().doubleValue()).isLessThanOrEqualTo(limit);
        assertStd(values, limit / Math.sqrt(3));
    }

    @Test
    void glorotNormal_hasStdSqrtTwoOverFanSum() {
        assertStd(create(Initializer.glorotNormal()), Math.sqrt(2.0 / (FAN_IN + FAN_OUT)));
    }

    @Test
    void heNormal_hasStdSqrtTwoOverFanIn() {
        assertStd(create(Initializer.heNormal()), Math.sqrt(2.0 / FAN_IN));
    }

    @Test
    void heUniform_boundedBySqrtSixOverFanIn() {
        double limit = Math.sqrt(6.0 / FAN_IN);

        INDArray values = create(Initializer.heUniform());

        assertThat(values.amaxNumber().doubleValue()).isLessThanOrEqualTo(limit);
        assertStd(values, limit / Math.sqrt(3));
    }

    @Test
    void fanInUniform_boundedByOneOverSqrtFanIn() {
        double limit = 1 / Math.sqrt(FAN_IN);

        INDArray values = create(Initializer.fanInUniform());

        assertThat(values.amaxNumber().doubleValue()).isLessThanOrEqualTo(limit);
        assertThat(values.amaxNumber().doubleValue()).isGreaterThan(0.99 * limit);
        assertStd(values, limit / Math.sqrt(3));
    }

    @Test
    void create_sameSeed_sameValues() {
        INDArray a =
                Initializers.create(
                        Initializer.heNormal(), SHAPE, FAN_IN, FAN_OUT, new SplittableRandom(9));
        INDArray b =
                Initializers.create(
                        Initializer.heNormal(), SHAPE, FAN_IN, FAN_OUT, new SplittableRandom(9));

        assertThat(a).isEqualTo(b);
        assertThat(a.shape()).containsExactly(SHAPE);
    }

    private static INDArray create(Initializer init) {
        return Initializers.create(init, SHAPE, FAN_IN, FAN_OUT, new SplittableRandom(1));
    }

    private static void assertStd(INDArray values, double expected) {
        assertThat(values.stdNumber().doubleValue()).isCloseTo(expected, within(0.02 * expected));
    }
}
