package io.depthlab.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * Output shapes, parameter counts and FLOPs of each layer kind. Expected numbers are worked out by
 * hand in the comments: window output = (in + 2 * padding - kernel) / stride + 1, FLOPs = 2 per
 * multiply-add.
 */
class ShapeInferenceTest {

    @Test
    void dense_vectorInput_givesUnitsWithWeightsAndBias() {
        Dense dense = Dense.units(100).build();
        Shape input = Shape.of(784);

        Shape output = dense.outputShape(input);

        assertThat(output).isEqualTo(Shape.of(100));
        // 784 * 100 weights + 100 biases; 2 * 784 * 100 FLOPs.
        assertThat(dense.parameterCount(input)).isEqualTo(78_500);
        assertThat(dense.flops(input)).isEqualTo(156_800);
    }

    @Test
    void dense_withoutBias_countsWeightsOnly() {
        Dense dense = Dense.units(100).bias(false).build();

        long parameters = dense.parameterCount(Shape.of(784));

        assertThat(parameters).isEqualTo(78_400);
    }

    @Test
    void activationDropoutAndSoftmax_keepTheShape() {
        Shape vector = Shape.of(47);
        Shape image = Shape.of(8, 4, 4);

        assertThat(Activation.relu().build().outputShape(image)).isEqualTo(image);
        assertThat(Activation.leakyRelu(0.01).build().outputShape(vector)).isEqualTo(vector);
        assertThat(Dropout.dropRate(0.5).build().outputShape(image)).isEqualTo(image);
        assertThat(SoftmaxOutput.create().outputShape(vector)).isEqualTo(vector);
        assertThat(SoftmaxOutput.create().parameterCount(vector)).isZero();
    }

    @Test
    void softmax_singleScore_throws() {
        SoftmaxOutput softmax = SoftmaxOutput.create();

        var e =
                assertThrows(
                        IllegalArgumentException.class, () -> softmax.outputShape(Shape.of(1)));

        assertThat(e).hasMessage("softmax expects at least 2 class scores, found 1");
    }

    @Test
    void conv2d_samePadding_keepsSizeAndCountsBiasPerFilter() {
        Conv2d conv = Conv2d.filters(16).kernel(3).padding(1).build();
        Shape input = Shape.of(3, 32, 32);

        Shape output = conv.outputShape(input);

        assertThat(output).isEqualTo(Shape.of(16, 32, 32));
        // 16 * 3 * 3 * 3 weights + 16 biases; 2 * (3 * 3 * 3) * (16 * 32 * 32) FLOPs.
        assertThat(conv.parameterCount(input)).isEqualTo(448);
        assertThat(conv.flops(input)).isEqualTo(884_736);
    }

    @Test
    void conv2d_stride2WithoutPadding_roundsDown() {
        Conv2d conv = Conv2d.filters(8).kernel(5).stride(2).build();

        Shape output = conv.outputShape(Shape.of(3, 32, 32));

        // (32 - 5) / 2 + 1 = 14
        assertThat(output).isEqualTo(Shape.of(8, 14, 14));
    }

    @Test
    void conv2d_rectangularKernel_usesEachAxis() {
        Conv2d conv = Conv2d.filters(2).kernel(3, 1).stride(1, 2).padding(1, 0).bias(false).build();
        Shape input = Shape.of(1, 5, 6);

        Shape output = conv.outputShape(input);

        // height (5 + 2 - 3) / 1 + 1 = 5, width (6 - 1) / 2 + 1 = 3
        assertThat(output).isEqualTo(Shape.of(2, 5, 3));
        assertThat(conv.parameterCount(input)).isEqualTo(2 * 1 * 3 * 1);
    }

    @Test
    void batchNorm_countsScaleAndShiftPerChannelOrFeature() {
        BatchNorm norm = BatchNorm.create().build();

        assertThat(norm.outputShape(Shape.of(16, 8, 8))).isEqualTo(Shape.of(16, 8, 8));
        assertThat(norm.parameterCount(Shape.of(16, 8, 8))).isEqualTo(32);
        assertThat(norm.parameterCount(Shape.of(100))).isEqualTo(200);
        assertThat(norm.flops(Shape.of(100))).isZero();
    }

    @Test
    void batchNorm_rank2Input_throws() {
        BatchNorm norm = BatchNorm.create().build();

        var e =
                assertThrows(
                        IllegalArgumentException.class, () -> norm.outputShape(Shape.of(4, 4)));

        assertThat(e).hasMessageContaining("found [4, 4]");
    }

    @Test
    void pool2d_defaultStrideIsTheWindow() {
        Pool2d pool = Pool2d.max(2).build();

        Shape output = pool.outputShape(Shape.of(16, 32, 32));

        assertThat(output).isEqualTo(Shape.of(16, 16, 16));
        assertThat(pool.kind()).isEqualTo("max_pool");
    }

    @Test
    void pool2d_paddedAverage_usesThePadding() {
        Pool2d pool = Pool2d.average(3).stride(2).padding(1).build();

        Shape output = pool.outputShape(Shape.of(4, 7, 7));

        // (7 + 2 - 3) / 2 + 1 = 4
        assertThat(output).isEqualTo(Shape.of(4, 4, 4));
        assertThat(pool.kind()).isEqualTo("average_pool");
    }

    @Test
    void globalAveragePool_keepsChannels() {
        Shape output = GlobalAveragePool.create().outputShape(Shape.of(32, 4, 4));

        assertThat(output).isEqualTo(Shape.of(32));
    }

    @Test
    void flatten_imageOrVector_givesVectorOfAllValues() {
        assertThat(Flatten.create().outputShape(Shape.of(32, 4, 4))).isEqualTo(Shape.of(512));
        assertThat(Flatten.create().outputShape(Shape.of(10))).isEqualTo(Shape.of(10));
    }

    @Test
    void residual_identityShortcut_countsBodyOnly() {
        Network network =
                Network.sequential("res")
                        .input(8, 16, 16)
                        .layer(
                                Residual.body(
                                        Conv2d.filters(8).kernel(3).padding(1),
                                        Activation.relu(),
                                        Conv2d.filters(8).kernel(3).padding(1)))
                        .build();

        Residual block = (Residual) network.layers().get(0);

        assertThat(network.outputShape()).isEqualTo(Shape.of(8, 16, 16));
        assertThat(block.projection()).isEmpty();
        // two convolutions of 8 * 8 * 3 * 3 weights + 8 biases
        assertThat(network.parameterCount()).isEqualTo(2 * (8 * 8 * 9 + 8));
        // two convolutions of 2 * (8 * 3 * 3) * (8 * 16 * 16)
        assertThat(network.flops()).isEqualTo(2L * 2 * 72 * 2048);
    }

    @Test
    void network_vgg8LikeStack_infersEveryShape() {
        Network network =
                Network.sequential("small")
                        .input(3, 32, 32)
                        .layer(Conv2d.filters(32).kernel(3).padding(1))
                        .layer(Pool2d.average(2))
                        .layer(Conv2d.filters(64).kernel(3).stride(2).padding(1))
                        .layer(GlobalAveragePool.create())
                        .layer(Dense.units(10))
                        .layer(SoftmaxOutput.create())
                        .build();

        assertThat(network.inputShapeOf(2)).isEqualTo(Shape.of(32, 16, 16));
        assertThat(network.outputShapeOf(2)).isEqualTo(Shape.of(64, 8, 8));
        assertThat(network.outputShapeOf(3)).isEqualTo(Shape.of(64));
        assertThat(network.outputShape()).isEqualTo(Shape.of(10));
        // 896 + 0 + (64 * 32 * 9 + 64) + 0 + (64 * 10 + 10)
        assertThat(network.parameterCount()).isEqualTo(896 + 18_496 + 650);
    }
}
