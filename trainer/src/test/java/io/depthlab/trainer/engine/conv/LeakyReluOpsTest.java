package io.depthlab.trainer.engine.conv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LeakyReluOpsTest {

    private static final double SLOPE = 0.01;

    @ParameterizedTest
    @EnumSource(
            value = DataType.class,
            names = {"FLOAT", "DOUBLE"})
    void forwardAndBackward_mixedSigns_matchDefinition(DataType type) {
        INDArray x = Naive.random(type, 5, 2, 3, 4, 4);
        INDArray g = Naive.random(type, 6, 2, 3, 4, 4);
        double[] xs = Naive.values(x);
        double[] gs = Naive.values(g);

        INDArray y = LeakyReluOps.forward(x, SLOPE);
        INDArray gradX = LeakyReluOps.backwardInPlace(x, g, SLOPE);

        double[] expectedY = new double[xs.length];
        double[] expectedGrad = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            expectedY[i] = xs[i] > 0 ? xs[i] : SLOPE * xs[i];
            expectedGrad[i] = xs[i] > 0 ? gs[i] : SLOPE * gs[i];
        }
        // max(x, slope * x) is exact but for the product, which float rounds to 24 bits.
        double tolerance = type == DataType.DOUBLE ? 0 : 1e-6;
        assertThat(Naive.values(y)).containsExactly(expectedY, within(tolerance));
        assertThat(gradX).isSameAs(g);
        assertThat(Naive.values(gradX)).containsExactly(expectedGrad, within(tolerance));
        assertThat(Naive.values(x)).containsExactly(xs, within(0.0));
    }

    @ParameterizedTest
    @EnumSource(
            value = DataType.class,
            names = {"FLOAT", "DOUBLE"})
    void forwardInPlace_matchesForward_andBackwardFromOutputMatchesFromInput(DataType type) {
        INDArray x = Naive.random(type, 8, 2, 3, 4, 4);
        INDArray expected = LeakyReluOps.forward(x, SLOPE);
        INDArray fromInput =
                LeakyReluOps.backwardInPlace(x, Naive.random(type, 9, 2, 3, 4, 4), SLOPE);

        LeakyReluOps.forwardInPlace(x, SLOPE);
        INDArray fromOutput =
                LeakyReluOps.backwardInPlace(x, Naive.random(type, 9, 2, 3, 4, 4), SLOPE);

        assertThat(Naive.values(x)).containsExactly(Naive.values(expected), within(0.0));
        assertThat(Naive.values(fromOutput)).containsExactly(Naive.values(fromInput), within(0.0));
    }

    /** With slope 0 the output is 0 for every negative input, which must still pass nothing. */
    @Test
    void backwardFromOutput_slopeZero_passesGradientOnlyWherePositive() {
        INDArray x = Nd4j.createFromArray(-2.0, -0.5, 0.5, 3.0);
        INDArray g = Nd4j.createFromArray(1.0, 2.0, 3.0, 4.0);

        LeakyReluOps.forwardInPlace(x, 0);
        LeakyReluOps.backwardInPlace(x, g, 0);

        assertThat(Naive.values(g)).containsExactly(0.0, 0.0, 3.0, 4.0);
    }

    @Test
    void forwardInPlace_permutedView_matchesContiguousInput() {
        INDArray x = Naive.random(DataType.DOUBLE, 7, 2, 3, 4, 5);
        INDArray expected = LeakyReluOps.forward(x, SLOPE);
        INDArray permuted = x.permute(0, 2, 3, 1);

        LeakyReluOps.forwardInPlace(permuted, SLOPE);

        // The fallback is libnd4j's lrelu, which reads the slope as a float: 2.2e-8 relative.
        assertThat(Naive.values(x)).containsExactly(Naive.values(expected), within(1e-9));
    }

    @Test
    void forward_permutedView_matchesContiguousInput() {
        INDArray x = Naive.random(DataType.DOUBLE, 7, 2, 3, 4, 5);
        INDArray permuted = x.permute(0, 2, 3, 1);

        INDArray y = LeakyReluOps.forward(permuted, SLOPE);

        INDArray expected = LeakyReluOps.forward(permuted.dup('c'), SLOPE);
        // The fallback is libnd4j's lrelu, which reads the slope as a float: 2.2e-8 relative.
        assertThat(Naive.values(y)).containsExactly(Naive.values(expected), within(1e-9));
    }

    @Test
    void forward_slopeOfOne_throws() {
        INDArray x = Naive.random(DataType.FLOAT, 1, 4);

        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> LeakyReluOps.forward(x, 1.0));

        assertThat(e).hasMessageContaining("expected a value in [0, 1), found 1.0");
    }
}
