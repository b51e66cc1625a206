package io.depthlab.trainer.engine.conv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Checks the libnd4j convolution recipes against {@link Naive}'s loops. */
class ConvOpsTest {

    /** float32 goes through oneDNN, float64 through libnd4j's own loops: check both. */
    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> cases = Stream.builder();
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (boolean bias : new boolean[] {false, true}) {
                cases.add(Arguments.of(type, bias, new Window(3, 3, 1, 1, 1, 1)));
                cases.add(Arguments.of(type, bias, new Window(3, 3, 2, 2, 1, 1)));
                cases.add(Arguments.of(type, bias, new Window(3, 2, 1, 1, 0, 0)));
                cases.add(Arguments.of(type, bias, new Window(1, 1, 2, 2, 0, 0)));
                cases.add(Arguments.of(type, bias, new Window(3, 3, 2, 1, 0, 1)));
            }
        }
        return cases.build();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void forward_smallShapes_matchesNaiveLoops(DataType type, boolean withBias, Window window) {
        INDArray x = Naive.random(type, 1, 2, 3, 7, 6);
        INDArray w = Naive.random(type, 2, 4, 3, window.kernelHeight(), window.kernelWidth());
        INDArray b = withBias ? Naive.random(type, 3, 4) : null;

        INDArray y = ConvOps.forward(Naive.nhwc(x), Naive.ohwi(w), b, window);

        double[] expected = naiveForward(x, w, b, window);
        assertThat(y.shape())
                .containsExactly(ConvOps.outputShape(Naive.nhwc(x), Naive.ohwi(w), window));
        assertThat(y.dataType()).isEqualTo(type);
        assertThat(Naive.values(Naive.nchw(y))).containsExactly(expected, within(tolerance(type)));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void backward_smallShapes_matchesNaiveLoops(DataType type, boolean withBias, Window window) {
        INDArray x = Naive.random(type, 1, 2, 3, 7, 6);
        INDArray w = Naive.random(type, 2, 4, 3, window.kernelHeight(), window.kernelWidth());
        INDArray b = withBias ? Naive.random(type, 3, 4) : null;
        INDArray xNhwc = Naive.nhwc(x);
        // Weights and their gradient as Conv2dLayer passes them: OHWI views of OIHW tensors.
        INDArray wOhwi = w.permute(0, 2, 3, 1);
        INDArray g =
                Naive.random(type, 4, Naive.nchwShape(ConvOps.outputShape(xNhwc, wOhwi, window)));
        INDArray gradX = xNhwc.ulike().assign(99);
        INDArray gradWOihw = w.ulike().assign(99);
        INDArray gradW = gradWOihw.permute(0, 2, 3, 1);
        INDArray gradB = withBias ? b.ulike().assign(99) : null;

        ConvOps.backward(xNhwc, wOhwi, b, Naive.nhwc(g), window, gradX, gradW, gradB);

        assertMatchesNaiveBackward(x, w, g, window, gradX, gradWOihw, gradB);
    }

    /** Batches over the chunk size go through in chunks; the gradients must not change. */
    @ParameterizedTest
    @MethodSource("cases")
    void backward_inChunksOfTwoExamples_matchesNaiveLoops(
            DataType type, boolean withBias, Window window) {
        INDArray x = Naive.random(type, 5, 5, 3, 7, 6);
        INDArray w = Naive.random(type, 6, 4, 3, window.kernelHeight(), window.kernelWidth());
        INDArray b = withBias ? Naive.random(type, 7, 4) : null;
        INDArray xNhwc = Naive.nhwc(x);
        INDArray wOhwi = w.permute(0, 2, 3, 1);
        INDArray g =
                Naive.random(type, 8, Naive.nchwShape(ConvOps.outputShape(xNhwc, wOhwi, window)));
        INDArray gradX = xNhwc.ulike().assign(99);
        INDArray gradWOihw = w.ulike().assign(99);
        INDArray gradB = withBias ? b.ulike().assign(99) : null;
        long twoExamples = 2 * x.length() / x.size(0) * type.width();

        ConvOps.backward(
                xNhwc,
                wOhwi,
                b,
                Naive.nhwc(g),
                window,
                gradX,
                gradWOihw.permute(0, 2, 3, 1),
                gradB,
                twoExamples);

        assertMatchesNaiveBackward(x, w, g, window, gradX, gradWOihw, gradB);
    }

    /**
     * oneDNN's float path computes garbage from strided activations, e.g. NHWC views of NCHW
     * batches, so ConvOps must copy them: forward with a view as input and as output.
     */
    @ParameterizedTest
    @MethodSource("cases")
    void forward_stridedViews_matchesNaiveLoops(DataType type, boolean withBias, Window window) {
        INDArray x = Naive.random(type, 11, 3, 3, 7, 6);
        INDArray w = Naive.random(type, 12, 4, 3, window.kernelHeight(), window.kernelWidth());
        INDArray b = withBias ? Naive.random(type, 13, 4) : null;
        INDArray xView = x.permute(0, 2, 3, 1);
        long[] outShape = ConvOps.outputShape(xView, Naive.ohwi(w), window);
        INDArray yNchw = Naive.random(type, 14, Naive.nchwShape(outShape));

        ConvOps.forward(xView, Naive.ohwi(w), b, window, yNchw.permute(0, 2, 3, 1));

        double[] expected = naiveForward(x, w, b, window);
        assertThat(Naive.values(yNchw)).containsExactly(expected, within(tolerance(type)));
    }

    /**
     * Backward with every activation a strided view (the input also a slice of a larger batch,
     * starting past its first example), in chunks of two examples.
     */
    @ParameterizedTest
    @MethodSource("cases")
    void backward_stridedAndOffsetViews_matchesNaiveLoops(
            DataType type, boolean withBias, Window window) {
        INDArray larger = Naive.random(type, 15, 8, 3, 7, 6);
        INDArray x = larger.get(NDArrayIndex.interval(3, 8));
        INDArray w = Naive.random(type, 16, 4, 3, window.kernelHeight(), window.kernelWidth());
        INDArray b = withBias ? Naive.random(type, 17, 4) : null;
        INDArray wOhwi = w.permute(0, 2, 3, 1);
        long[] outShape = ConvOps.outputShape(x.permute(0, 2, 3, 1), wOhwi, window);
        INDArray g = Naive.random(type, 18, Naive.nchwShape(outShape));
        INDArray gradXNchw = x.ulike().assign(99);
        INDArray gradWOihw = w.ulike().assign(99);
        INDArray gradB = withBias ? b.ulike().assign(99) : null;
        long twoExamples = 2 * x.length() / x.size(0) * type.width();

        ConvOps.backward(
                x.permute(0, 2, 3, 1),
                wOhwi,
                b,
                g.permute(0, 2, 3, 1),
                window,
                gradXNchw.permute(0, 2, 3, 1),
                gradWOihw.permute(0, 2, 3, 1),
                gradB,
                twoExamples);

        assertMatchesNaiveBackward(
                x.dup('c'), w, g, window, Naive.nhwc(gradXNchw), gradWOihw, gradB);
    }

    @Test
    void backward_emptyBatch_givesZeroParameterGradients() {
        INDArray x = Nd4j.create(DataType.FLOAT, 0, 5, 5, 3);
        INDArray w = Naive.random(DataType.FLOAT, 19, 4, 3, 3, 3);
        INDArray b = Naive.random(DataType.FLOAT, 20, 4);
        Window window = new Window(3, 3, 1, 1, 1, 1);
        INDArray gradW = w.ulike().assign(99);
        INDArray gradB = b.ulike().assign(99);

        ConvOps.backward(
                x, w, b, Nd4j.create(DataType.FLOAT, 0, 5, 5, 4), window, x.ulike(), gradW, gradB);

        assertThat(gradW.amaxNumber().doubleValue()).isZero();
        assertThat(gradB.amaxNumber().doubleValue()).isZero();
    }

    @Test
    void forward_weightWithWrongChannels_throwsNamingBothShapes() {
        INDArray x = Naive.random(DataType.FLOAT, 1, 2, 5, 5, 3);
        INDArray w = Naive.random(DataType.FLOAT, 2, 4, 3, 3, 2);
        Window window = new Window(3, 3, 1, 1, 0, 0);

        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> ConvOps.forward(x, w, null, window));

        assertThat(e).hasMessage("weight: expected shape [4, 3, 3, 3], found [4, 3, 3, 2]");
    }

    @Test
    void backward_biasWithoutItsGradient_throws() {
        INDArray x = Naive.random(DataType.FLOAT, 1, 1, 1, 3, 3);
        INDArray w = Naive.random(DataType.FLOAT, 2, 1, 1, 1, 1);
        INDArray b = Naive.random(DataType.FLOAT, 3, 1);
        Window window = new Window(1, 1, 1, 1, 0, 0);

        assertThrows(
                IllegalArgumentException.class,
                () -> ConvOps.backward(x, w, b, x.dup(), window, x.ulike(), w.ulike(), null));
    }

    /**
     * Sums of up to 27 products of values in [-1, 1): float32 keeps about 7 digits of each, so 1e-4
     * absolute is loose enough for any summation order and tight enough to catch a wrong element.
     */
    /** {@link Naive#convForward} of NCHW input, OIHW weight and an optional bias. */
    private static double[] naiveForward(INDArray x, INDArray w, INDArray b, Window window) {
        return Naive.convForward(
                Naive.values(x),
                x.shape(),
                Naive.values(w),
                w.shape(),
                b == null ? null : Naive.values(b),
                window);
    }

    /** Checks gradients (NHWC input, OIHW weight) against {@link Naive#convBackward}. */
    private static void assertMatchesNaiveBackward(
            INDArray x,
            INDArray w,
            INDArray g,
            Window window,
            INDArray gradX,
            INDArray gradWOihw,
            INDArray gradB) {
        double[][] expected =
                Naive.convBackward(
                        Naive.values(x),
                        x.shape(),
                        Naive.values(w),
                        w.shape(),
                        Naive.values(g),
                        window);
        double tolerance = tolerance(x.dataType());
        assertThat(Naive.values(Naive.nchw(gradX))).containsExactly(expected[0], within(tolerance));
        assertThat(Naive.values(gradWOihw)).containsExactly(expected[1], within(tolerance));
        if (gradB != null) {
            assertThat(Naive.values(gradB)).containsExactly(expected[2], within(tolerance));
        }
    }

    static double tolerance(DataType type) {
        return type == DataType.DOUBLE ? 1e-10 : 1e-4;
    }
}
