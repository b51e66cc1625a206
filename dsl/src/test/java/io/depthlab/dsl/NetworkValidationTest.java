package io.depthlab.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Mistakes in a network declaration and the messages that point at them. */
class NetworkValidationTest {

    @Test
    void build_denseAfterConvolutionWithoutFlatten_namesLayerAndShape() {
        Network.Builder builder =
                Network.sequential("bad")
                        .input(3, 32, 32)
                        .layer(Conv2d.filters(8).kernel(3))
                        .layer(Dense.units(10));

        var e = assertThrows(IllegalArgumentException.class, builder::build);

        assertThat(e)
                .hasMessage(
                        "layer 1 'dense_1': dense expects a rank-1 input (features), found"
                                + " [8, 30, 30]; add flatten or global average pooling before"
                                + " it");
    }

    @Test
    void build_denseOnRank4Input_throws() {
        Network.Builder builder =
                Network.sequential("bad").input(1, 3, 32, 32).layer(Dense.units(10).name("fc"));

        var e = assertThrows(IllegalArgumentException.class, builder::build);

        assertThat(e).hasMessageStartingWith("layer 0 'fc': dense expects a rank-1 input");
        assertThat(e).hasMessageContaining("found [1, 3, 32, 32]");
    }

    @Test
    void build_kernelLargerThanPaddedInput_namesExpectedAndFound() {
        Network.Builder builder =
                Network.sequential("bad")
                        .input(1, 4, 4)
                        .layer(Conv2d.filters(2).kernel(5).name("c"));

        var e = assertThrows(IllegalArgumentException.class, builder::build);

        assertThat(e)
                .hasMessage(
                        "layer 0 'c': conv2d kernel height: expected at most 4 (input height 4"
                                + " + 2 * padding 0), found 5");
    }

    @Test
    void build_convolutionOnVector_throws() {
        Network.Builder builder =
                Network.sequential("bad").input(784).layer(Conv2d.filters(2).kernel(3));

        var e = assertThrows(IllegalArgumentException.class, builder::build);

        assertThat(e)
                .hasMessage(
                        "layer 0 'conv2d_1': conv2d expects an image input [channels, height,"
                                + " width], found [784]");
    }

    @Test
    void build_residualOnVectorsChangingWidth_cannotBeProjected() {
        Network.Builder builder =
                Network.sequential("bad").input(784).layer(Residual.body(Dense.units(100)));

        var e = assertThrows(IllegalArgumentException.class, builder::build);

        assertThat(e)
                .hasMessage(
                        "layer 0 'residual_1': residual branches disagree: the body turns [784]"
                                + " into [100], and only image shapes can be matched by a 1x1"
                                + " projection");
    }

    @Test
    void build_residualBodyGrowingTheImage_cannotBeProjected() {
        Network.Builder builder =
                Network.sequential("bad")
                        .input(4, 8, 8)
                        .layer(Residual.body(Conv2d.filters(4).kernel(1).padding(1)).name("grow"));

        var e = assertThrows(IllegalArgumentException.class, builder::build);

        assertThat(e)
                .hasMessage(
                        "layer 0 'grow': residual branches disagree: the body turns [4, 8, 8]"
                                + " into [4, 10, 10], which no strided 1x1 projection can"
                                + " match");
    }

    @Test
    void build_badLayerInResidualBody_namesBlockAndBodyLayer() {
        Network.Builder builder =
                Network.sequential("bad")
                        .input(4, 8, 8)
                        .layer(Residual.body(Activation.relu(), Dense.units(3)));

        var e = assertThrows(IllegalArgumentException.class, builder::build);

        assertThat(e)
                .hasMessageStartingWith(
                        "layer 0 'residual_1': body layer 1 'dense_1': dense expects a rank-1"
                                + " input");
    }

    @Test
    void outputShape_residualWithWrongProjection_throws() {
        Conv2d projection = Conv2d.filters(4).kernel(1).build();
        Residual block =
                new Residual(
                        "r",
                        List.of(Conv2d.filters(8).kernel(3).padding(1).build()),
                        Optional.of(projection),
                        Optional.empty());

        var e =
                assertThrows(
                        IllegalArgumentException.class, () -> block.outputShape(Shape.of(4, 8, 8)));

        assertThat(e)
                .hasMessage(
                        "residual branches disagree: the body gives [8, 8, 8], the projection"
                                + " shortcut gives [4, 8, 8]");
    }

    @Test
    void build_softmaxBeforeLastLayer_throws() {
        Network.Builder builder =
                Network.sequential("bad")
                        .input(10)
                        .layer(Dense.units(5))
                        .layer(SoftmaxOutput.create())
                        .layer(Dense.units(5));

        var e = assertThrows(IllegalArgumentException.class, builder::build);

        assertThat(e)
                .hasMessage(
                        "layer 1 'softmax_1': expected the softmax output to be the last layer,"
                                + " found 1 layers after it");
    }

    @Test
    void residual_softmaxInBody_throws() {
        var e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Residual.body(Dense.units(4), SoftmaxOutput::create).build());

        assertThat(e).hasMessage("residual: a softmax output cannot be in a body");
    }

    @Test
    void build_duplicateNames_namesBothLayers() {
        Network.Builder builder =
                Network.sequential("bad")
                        .input(10)
                        .layer(Dense.units(5).name("hidden"))
                        .layer(Activation.relu())
                        .layer(Dense.units(5).name("hidden"));

        var e = assertThrows(IllegalArgumentException.class, builder::build);

        assertThat(e)
                .hasMessage(
                        "layer 2 'hidden': expected a unique name, found it already used by"
                                + " layer 0");
    }

    @Test
    void build_duplicateNameInsideResidualBody_namesThePath() {
        Network.Builder builder =
                Network.sequential("bad")
                        .input(4, 8, 8)
                        .layer(Activation.relu().name("act"))
                        .layer(Residual.body(Activation.tanh(), Activation.relu().name("act")));

        var e = assertThrows(IllegalArgumentException.class, builder::build);

        assertThat(e)
                .hasMessage(
                        "layer 1 body layer 1 'act': expected a unique name, found it already"
                                + " used by layer 0");
    }

    @Test
    void build_nameTakenByAutomaticProjection_throws() {
        Network.Builder builder =
                Network.sequential("bad")
                        .input(4, 8, 8)
                        .layer(Residual.body(Conv2d.filters(8).kernel(1)).name("r"))
                        .layer(Activation.relu().name("r_projection"));

        var e = assertThrows(IllegalArgumentException.class, builder::build);

        assertThat(e)
                .hasMessage(
                        "layer 0 'r': expected the name 'r_projection' to be free for the"
                                + " shortcut's projection, found it already used by layer 1");
    }

    @Test
    void dense_biasSetTwice_throws() {
        Dense.Builder builder = Dense.units(3).bias(true);

        var e = assertThrows(IllegalStateException.class, () -> builder.bias(false));

        assertThat(e)
                .hasMessage("dense bias: expected to be set once, found it already set to true");
    }

    @Test
    void conv2d_kernelSetTwice_printsTheKernel() {
        Conv2d.Builder builder = Conv2d.filters(3).kernel(3, 5);

        var e = assertThrows(IllegalStateException.class, () -> builder.kernel(1));

        assertThat(e)
                .hasMessage(
                        "convolution kernel: expected to be set once, found it already set to"
                                + " [3, 5]");
    }

    @Test
    void network_inputSetTwice_throws() {
        Network.Builder builder = Network.sequential("n").input(3);

        var e = assertThrows(IllegalStateException.class, () -> builder.input(4));

        assertThat(e)
                .hasMessage("network input: expected to be set once, found it already set to [3]");
    }

    @Test
    void conv2d_withoutKernel_throws() {
        Conv2d.Builder builder = Conv2d.filters(16).name("stem");

        var e = assertThrows(IllegalStateException.class, builder::build);

        assertThat(e)
                .hasMessage(
                        "convolution 'stem' with 16 filters: expected a kernel size, found none;"
                                + " call kernel(size) or kernel(height, width)");
    }

    @ParameterizedTest
    @ValueSource(doubles = {1.0, -0.1, Double.NaN, 1.5})
    void dropout_rateOutsideZeroToOne_throws(double dropRate) {
        var e = assertThrows(IllegalArgumentException.class, () -> Dropout.dropRate(dropRate));

        assertThat(e)
                .hasMessage(
                        "dropout drop rate: expected a probability in [0, 1), found " + dropRate);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, -1e-3, Double.NaN, Double.POSITIVE_INFINITY})
    void penalty_nonPositiveOrNonFiniteCoefficient_throws(double coefficient) {
        var e = assertThrows(IllegalArgumentException.class, () -> Penalty.l2(coefficient));

        assertThat(e)
                .hasMessage(
                        "L2 coefficient: expected a positive finite number, found " + coefficient);
    }

    @Test
    void dense_secondL1Penalty_throws() {
        Dense.Builder builder = Dense.units(3).l1(1e-3);

        var e = assertThrows(IllegalStateException.class, () -> builder.l1(1e-4));

        assertThat(e)
                .hasMessage("L1 penalty: expected to be set once, found it already set to 0.001");
    }

    @Test
    void dense_twoPenaltiesOfOneKindInRecord_throws() {
        List<Penalty> penalties = List.of(Penalty.l2(1e-3), Penalty.l2(1e-4));

        var e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                new Dense(
                                        "d",
                                        3,
                                        true,
                                        Initializer.zeros(),
                                        Initializer.zeros(),
                                        penalties));

        assertThat(e)
                .hasMessage(
                        "dense penalties: expected at most one of each kind, found"
                                + " [Penalty[kind=L2, coefficient=0.001], Penalty[kind=L2,"
                                + " coefficient=1.0E-4]]");
    }

    @Test
    void build_withoutInput_throws() {
        Network.Builder builder = Network.sequential("n").layer(Dense.units(3));

        var e = assertThrows(IllegalStateException.class, builder::build);

        assertThat(e).hasMessage("network 'n': expected an input shape, found none; call input()");
    }

    @Test
    void build_withoutLayers_throws() {
        Network.Builder builder = Network.sequential("n").input(3);

        var e = assertThrows(IllegalStateException.class, builder::build);

        assertThat(e).hasMessage("network 'n': expected at least one layer, found none");
    }

    @Test
    void sequential_blankName_throws() {
        var e = assertThrows(IllegalArgumentException.class, () -> Network.sequential(" "));

        assertThat(e).hasMessage("network name: expected a non-blank name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a.b", "a/b", " "})
    void name_withDotSlashOrBlank_throws(String name) {
        Dense.Builder builder = Dense.units(3);

        var e = assertThrows(IllegalArgumentException.class, () -> builder.name(name));

        assertThat(e).hasMessage("layer name: expected no '.', '/' or blank, found '" + name + "'");
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, 1.0, -0.1})
    void leakyRelu_slopeOutsideZeroToOne_throws(double slope) {
        var e = assertThrows(IllegalArgumentException.class, () -> Activation.leakyRelu(slope));

        assertThat(e)
                .hasMessage(
                        "LEAKY_RELU negative slope: expected a value in (0, 1), found " + slope);
    }

    @Test
    void batchNorm_momentumOne_throws() {
        BatchNorm.Builder builder = BatchNorm.create();

        var e = assertThrows(IllegalArgumentException.class, () -> builder.momentum(1.0));

        assertThat(e).hasMessage("batch norm momentum: expected a value in (0, 1), found 1.0");
    }

    @Test
    void pool2d_paddingOverHalfTheWindow_throws() {
        Pool2d.Builder builder = Pool2d.max(2).padding(2);

        var e = assertThrows(IllegalArgumentException.class, builder::build);

        assertThat(e)
                .hasMessage(
                        "pooling padding: expected at most half the kernel (1 x 1), found 2 x 2");
    }

    @Test
    void initializer_parameterItDoesNotUse_throws() {
        var e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new Initializer(Initializer.Kind.HE_NORMAL, 0, 2));

        assertThat(e)
                .hasMessage(
                        "HE_NORMAL initializer: expected 0 for the parameters it does not use,"
                                + " found a = 0.0, b = 2.0");
    }

    @Test
    void initializer_uniformWithLowAboveHigh_throws() {
        var e = assertThrows(IllegalArgumentException.class, () -> Initializer.uniform(1, -1));

        assertThat(e).hasMessage("uniform initializer: expected low < high, found [1.0, -1.0)");
    }

    @Test
    void build_parameterCountOverflowingLong_throws() {
        int big = Integer.MAX_VALUE;
        Network.Builder builder =
                Network.sequential("huge").input(big, 2, 2).layer(Conv2d.filters(big).kernel(2));

        var e = assertThrows(IllegalArgumentException.class, builder::build);

        assertThat(e)
                .hasMessage(
                        "layer 0 'conv2d_1': expected a parameter count that fits in a long, found"
                                + " an overflow");
    }

    @Test
    void shape_moreValuesThanALong_throws() {
        int big = Integer.MAX_VALUE;

        var e = assertThrows(IllegalArgumentException.class, () -> Shape.of(big, big, big));

        assertThat(e).hasMessageStartingWith("expected at most 9223372036854775807 values");
    }

    @Test
    void shape_zeroDimension_throws() {
        var e = assertThrows(IllegalArgumentException.class, () -> Shape.of(3, 0));

        assertThat(e).hasMessage("expected positive dimensions, found [3, 0]");
    }
}
