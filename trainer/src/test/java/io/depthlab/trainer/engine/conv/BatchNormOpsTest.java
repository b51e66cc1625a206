package io.depthlab.trainer.engine.conv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Checks the batch-norm recipes and our backward formula against {@link Naive}'s loops. */
class BatchNormOpsTest {

    private static final double EPS = 1e-5;

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> cases = Stream.builder();
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            cases.add(Arguments.of(type, new long[] {4, 3, 5, 6}));
            cases.add(Arguments.of(type, new long[] {7, 5}));
        }
        return cases.build();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void trainingForward_shiftedInput_matchesNaiveLoops(DataType type, long[] shape) {
        // A mean far from 0 and a small spread, to catch a one-pass E[x^2] - E[x]^2 variance.
        INDArray x = Naive.random(type, 21, shape).muli(0.5).addi(3);
        long channels = shape[1];
        INDArray gamma = Naive.random(type, 22, channels);
        INDArray beta = Naive.random(type, 23, channels);
        INDArray mean = Nd4j.create(type, channels);
        INDArray variance = Nd4j.create(type, channels);
        INDArray y = Naive.nhwc(x).ulike();

        BatchNormOps.trainingForward(Naive.nhwc(x), gamma, beta, EPS, mean, variance, y);

        double[][] expected = Naive.moments(Naive.values(x), shape);
        double[] expectedY =
                Naive.normalize(
                        Naive.values(x),
                        shape,
                        expected[0],
                        expected[1],
                        Naive.values(gamma),
                        Naive.values(beta),
                        EPS);
        double tolerance = type == DataType.DOUBLE ? 1e-10 : 1e-5;
        assertThat(Naive.values(mean)).containsExactly(expected[0], within(tolerance));
        assertThat(Naive.values(variance)).containsExactly(expected[1], within(tolerance));
        assertThat(Naive.values(Naive.nchw(y))).containsExactly(expectedY, within(tolerance * 10));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void backwardInPlace_smallShapes_matchesChainRuleOfThePaper(DataType type, long[] shape) {
        INDArray x = Naive.random(type, 31, shape).muli(2).addi(0.5);
        long channels = shape[1];
        INDArray gamma = Naive.random(type, 32, channels);
        INDArray g = Naive.random(type, 33, shape);
        double[] gs = Naive.values(g);
        INDArray mean = Nd4j.create(type, channels);
        INDArray variance = Nd4j.create(type, channels);
        INDArray gradGamma = Nd4j.create(type, channels).assign(99);
        INDArray gradBeta = Nd4j.create(type, channels).assign(99);
        INDArray xNhwc = Naive.nhwc(x);
        INDArray gNhwc = Naive.nhwc(g);
        BatchNormOps.trainingForward(
                xNhwc, gamma, gamma.ulike().assign(0), EPS, mean, variance, xNhwc.ulike());

        INDArray gradX =
                BatchNormOps.backward(
                        xNhwc, mean, variance, gamma, EPS, gNhwc, gNhwc, gradGamma, gradBeta, true);

        double[][] expected =
                Naive.batchNormBackward(Naive.values(x), shape, Naive.values(gamma), EPS, gs);
        double tolerance = type == DataType.DOUBLE ? 1e-10 : 1e-4;
        assertThat(gradX).isSameAs(gNhwc);
        assertThat(Naive.values(Naive.nchw(gradX))).containsExactly(expected[0], within(tolerance));
        assertThat(Naive.values(gradGamma)).containsExactly(expected[1], within(tolerance));
        assertThat(Naive.values(gradBeta)).containsExactly(expected[2], within(tolerance));
    }

    @Test
    void backward_floatMeanTenTimesTheSpreadOutOfPlace_keepsGammaGradientAccurate() {
        // The gamma gradient comes from sum(g * x) - mean * sum(g): a large mean cancels digits.
        long[] shape = {16, 4, 16, 16};
        INDArray x = Naive.random(DataType.FLOAT, 51, shape).addi(10);
        INDArray gamma = Naive.random(DataType.FLOAT, 52, 4);
        INDArray g = Naive.random(DataType.FLOAT, 53, shape);
        double[] gs = Naive.values(g);
        INDArray mean = Nd4j.create(DataType.FLOAT, 4);
        INDArray variance = Nd4j.create(DataType.FLOAT, 4);
        INDArray gradGamma = Nd4j.create(DataType.FLOAT, 4);
        INDArray gradBeta = Nd4j.create(DataType.FLOAT, 4);
        INDArray xNhwc = Naive.nhwc(x);
        INDArray gNhwc = Naive.nhwc(g);
        BatchNormOps.trainingForward(
                xNhwc, gamma, gamma.ulike().assign(0), EPS, mean, variance, xNhwc.ulike());

        INDArray gradX =
                BatchNormOps.backward(
                        xNhwc,
                        mean,
                        variance,
                        gamma,
                        EPS,
                        gNhwc,
                        xNhwc.ulike(),
                        gradGamma,
                        gradBeta,
                        true);

        double[][] expected =
                Naive.batchNormBackward(Naive.values(x), shape, Naive.values(gamma), EPS, gs);
        // Means 17 times the spread: errors up to 1e-3 on sums between 5 and 60 (2e-4 relative).
        assertThat(Naive.values(gradGamma)).containsExactly(expected[1], within(2e-3));
        assertThat(Naive.values(Naive.nchw(gradX))).containsExactly(expected[0], within(1e-5));
        assertThat(Naive.values(Naive.nchw(gNhwc))).containsExactly(gs, within(0.0));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void normalize_givenStatistics_matchesNaiveLoops(DataType type, long[] shape) {
        INDArray x = Naive.random(type, 41, shape);
        long channels = shape[1];
        INDArray mean = Naive.random(type, 42, channels);
        INDArray variance = Naive.random(type, 43, channels).addi(1.5);
        INDArray gamma = Naive.random(type, 44, channels);
        INDArray beta = Naive.random(type, 45, channels);
        INDArray y = Naive.nhwc(x).ulike();

        BatchNormOps.normalize(Naive.nhwc(x), mean, variance, gamma, beta, EPS, y);

        double[] expected =
                Naive.normalize(
                        Naive.values(x),
                        shape,
                        Naive.values(mean),
                        Naive.values(variance),
                        Naive.values(gamma),
                        Naive.values(beta),
                        EPS);
        double tolerance = type == DataType.DOUBLE ? 1e-12 : 1e-5;
        assertThat(Naive.values(Naive.nchw(y))).containsExactly(expected, within(tolerance));
    }

    /**
     * oneDNN's float batch norm computed garbage (near 1e30) from an NHWC view of an NCHW batch;
     * every pass must give what it gives for a dense copy of that view.
     */
    @ParameterizedTest
    @EnumSource(
            value = DataType.class,
            names = {"FLOAT", "DOUBLE"})
    void allPasses_nhwcViewOfNchwBatch_matchDenseCopy(DataType type) {
        INDArray view = Naive.random(type, 31, 4, 3, 5, 6).permute(0, 2, 3, 1);
        INDArray dense = view.dup('c');
        INDArray gradView = Naive.random(type, 32, 4, 3, 5, 6).permute(0, 2, 3, 1);
        INDArray gamma = Naive.random(type, 33, 3);
        INDArray beta = Naive.random(type, 34, 3);
        INDArray[] fromView = allPasses(view, gradView, gamma, beta);
        INDArray[] fromCopy = allPasses(dense, gradView.dup('c'), gamma, beta);

        for (int i = 0; i < fromView.length; i++) {
            assertThat(Naive.values(fromView[i]))
                    .as("pass output %d", i)
                    .containsExactly(Naive.values(fromCopy[i]), within(1e-6));
        }
    }

    /** Training forward, normalisation with the batch statistics, and backward. */
    private static INDArray[] allPasses(
            INDArray x, INDArray gradOutput, INDArray gamma, INDArray beta) {
        INDArray mean = gamma.ulike();
        INDArray variance = gamma.ulike();
        INDArray trained = Nd4j.create(x.dataType(), x.shape());
        BatchNormOps.trainingForward(x, gamma, beta, EPS, mean, variance, trained);
        INDArray normalized = Nd4j.create(x.dataType(), x.shape());
        BatchNormOps.normalize(x, mean, variance, gamma, beta, EPS, normalized);
        INDArray gradInput = Nd4j.create(x.dataType(), x.shape());
        INDArray gradGamma = gamma.ulike();
        INDArray gradBeta = gamma.ulike();
        BatchNormOps.backward(
                x, mean, variance, gamma, EPS, gradOutput, gradInput, gradGamma, gradBeta, true);
        return new INDArray[] {mean, variance, trained, normalized, gradInput, gradGamma, gradBeta};
    }

    @Test
    void updateRunning_varianceCorrection_followsPyTorchFormula() {
        INDArray running = Nd4j.createFromArray(1.0, 2.0);
        INDArray batch = Nd4j.createFromArray(3.0, 5.0);

        BatchNormOps.updateRunning(running, batch, 0.1, 4.0 / 3.0);

        // 0.9 * r + 0.1 * (4/3) * b
        assertThat(Naive.values(running))
                .containsExactly(new double[] {0.9 + 0.4, 1.8 + 0.1 * 4 / 3 * 5}, within(1e-12));
        assertThat(Naive.values(batch)).containsExactly(3.0, 5.0);
    }
}
