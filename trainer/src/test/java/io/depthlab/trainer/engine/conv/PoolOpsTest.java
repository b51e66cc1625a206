package io.depthlab.trainer.engine.conv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.depthlab.dsl.Pool2d;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Checks the libnd4j pooling recipes against {@link Naive#pool}. */
class PoolOpsTest {

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> cases = Stream.builder();
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (Pool2d.Mode mode : Pool2d.Mode.values()) {
                cases.add(Arguments.of(type, mode, new Window(2, 2, 2, 2, 0, 0)));
                cases.add(Arguments.of(type, mode, new Window(3, 3, 2, 2, 1, 1)));
                cases.add(Arguments.of(type, mode, new Window(3, 2, 1, 1, 0, 0)));
            }
        }
        return cases.build();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void forwardAndBackward_smallShapes_matchNaiveLoops(
            DataType type, Pool2d.Mode mode, Window window) {
        INDArray x = Naive.random(type, 11, 2, 3, 6, 7);
        boolean max = mode == Pool2d.Mode.MAX;

        INDArray y = Naive.nchw(PoolOps.forward(mode, Naive.nhwc(x), window));
        INDArray g = Naive.random(type, 12, y.shape());
        INDArray gradX = Naive.nchw(PoolOps.backward(mode, Naive.nhwc(x), Naive.nhwc(g), window));

        double[] expectedY = Naive.pool(max, Naive.values(x), x.shape(), window, null);
        double[] expectedGrad =
                Naive.pool(max, Naive.values(x), x.shape(), window, Naive.values(g));
        double tolerance = ConvOpsTest.tolerance(type);
        assertThat(Naive.values(y)).containsExactly(expectedY, within(tolerance));
        assertThat(gradX.shape()).containsExactly(x.shape());
        assertThat(Naive.values(gradX)).containsExactly(expectedGrad, within(tolerance));
    }

    @ParameterizedTest
    @EnumSource(
            value = DataType.class,
            names = {"FLOAT", "DOUBLE"})
    void globalAverage_smallShapes_matchesMeanPerMap(DataType type) {
        INDArray x = Naive.random(type, 13, 3, 4, 5, 3);
        INDArray g = Naive.random(type, 14, 3, 4);

        INDArray y = PoolOps.globalAverageForward(Naive.nhwc(x));
        INDArray gradX = Naive.nchw(PoolOps.globalAverageBackward(Naive.nhwc(x), g));

        double[] xs = Naive.values(x);
        double[] gs = Naive.values(g);
        double[] expectedY = new double[12];
        double[] expectedGrad = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            expectedY[i / 15] += xs[i] / 15;
            expectedGrad[i] = gs[i / 15] / 15;
        }
        double tolerance = ConvOpsTest.tolerance(type);
        assertThat(y.shape()).containsExactly(3, 4);
        assertThat(Naive.values(y)).containsExactly(expectedY, within(tolerance));
        assertThat(gradX.shape()).containsExactly(x.shape());
        assertThat(Naive.values(gradX)).containsExactly(expectedGrad, within(tolerance));
    }
}
