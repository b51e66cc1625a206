package io.depthlab.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.InvalidProtocolBufferException;
import io.depthlab.proto.bundle.LayerSpec;
import io.depthlab.proto.bundle.NetworkSpec;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Networks through {@link NetworkSpec} and back, and messages that must be refused. */
class NetworkProtosTest {

    /** Every layer kind, both penalty scopes, several initializers and both shortcut kinds. */
    private static Network everyKind() {
        return Network.sequential("every-kind")
                .input(3, 16, 16)
                .layer(
                        Conv2d.filters(8)
                                .kernel(3)
                                .padding(1)
                                .bias(false)
                                .weightInit(Initializer.uniform(-0.1, 0.1))
                                .biasInit(Initializer.constant(0.5))
                                .l1(1e-4)
                                .l2(1e-3))
                .layer(BatchNorm.create().momentum(0.2).epsilon(1e-3))
                .layer(Activation.leakyRelu(0.01))
                .layer(Pool2d.max(2).name("pool"))
                .layer(
                        Residual.body(
                                        Conv2d.filters(16)
                                                .kernel(3)
                                                .stride(2)
                                                .padding(1)
                                                .weightInit(Initializer.normal(0, 0.05)),
                                        BatchNorm.create(),
                                        Activation.relu(),
                                        Conv2d.filters(16).kernel(3, 1).padding(1, 0).l2(1e-2))
                                .activation(Activation.relu()))
                .layer(Residual.body(Conv2d.filters(16).kernel(3).padding(1), Activation.tanh()))
                .layer(Pool2d.average(3).stride(2).padding(1))
                .layer(GlobalAveragePool.create())
                .layer(Flatten.create())
                .layer(Dropout.dropRate(0.25))
                .layer(
                        Dense.units(10)
                                .weightInit(Initializer.heUniform())
                                .biasInit(Initializer.fanInUniform()))
                .layer(Activation.sigmoid())
                .layer(Dense.units(5).bias(false).l1(1e-6))
                .layer(SoftmaxOutput.create().withName("output"))
                .l1(1e-5)
                .l2(1e-4)
                .build();
    }

    @Test
    void roundTrip_everyLayerKind_givesEqualNetwork() throws InvalidProtocolBufferException {
        Network network = everyKind();

        byte[] bytes = NetworkProtos.toProto(network).toByteArray();
        Network back = NetworkProtos.fromProto(NetworkSpec.parseFrom(bytes));

        assertThat(back).isEqualTo(network);
        assertThat(back.parameterCount()).isEqualTo(network.parameterCount());
        assertThat(back.summary()).isEqualTo(network.summary());
    }

    @Test
    void toProto_residualWithProjection_writesProjectionAndActivation() {
        NetworkSpec spec = NetworkProtos.toProto(everyKind());

        LayerSpec block = spec.getLayers(4);

        assertThat(block.getName()).isEqualTo("residual_1");
        assertThat(block.getResidual().getBodyCount()).isEqualTo(4);
        assertThat(block.getResidual().getProjection().getName())
                .isEqualTo("residual_1_projection");
        assertThat(block.getResidual().getProjection().getConv2D().getStrideHeight()).isEqualTo(2);
        assertThat(block.getResidual().getActivation().getKind())
                .isEqualTo(io.depthlab.proto.bundle.Activation.Kind.RELU);
        assertThat(spec.getLayers(5).getResidual().hasProjection()).isFalse();
        assertThat(spec.getPenaltiesCount()).isEqualTo(2);
        assertThat(spec.getLayers(0).getPenaltiesCount()).isEqualTo(2);
    }

    static Stream<Initializer> initializers() {
        return Stream.of(
                Initializer.zeros(),
                Initializer.constant(-0.25),
                Initializer.uniform(-2, 3),
                Initializer.normal(1, 0.5),
                Initializer.glorotUniform(),
                Initializer.glorotNormal(),
                Initializer.heNormal(),
                Initializer.heUniform(),
                Initializer.fanInUniform());
    }

    @ParameterizedTest
    @MethodSource("initializers")
    void roundTrip_eachInitializer_isKept(Initializer init) {
        Network network =
                Network.sequential("init")
                        .input(4)
                        .layer(Dense.units(2).weightInit(init).biasInit(init))
                        .build();

        Network back = NetworkProtos.fromProto(NetworkProtos.toProto(network));

        assertThat(back).isEqualTo(network);
    }

    @Test
    void fromProto_residualActivationNamedByHand_keepsName() {
        Network network =
                Network.sequential("named")
                        .input(2, 4, 4)
                        .layer(
                                Residual.body(Activation.relu())
                                        .activation(Activation.relu().name("sum_relu")))
                        .build();

        Network back = NetworkProtos.fromProto(NetworkProtos.toProto(network));

        assertThat(back).isEqualTo(network);
        Residual block = (Residual) back.layers().get(0);
        assertThat(block.activation()).map(Layer::name).contains("sum_relu");
    }

    /** Applies {@code corruption} to the i-th layer of a valid message and converts it back. */
    private static IllegalArgumentException corruptLayer(
            int index, UnaryOperator<LayerSpec.Builder> corruption) {
        NetworkSpec.Builder spec = NetworkProtos.toProto(everyKind()).toBuilder();
        spec.setLayers(index, corruption.apply(spec.getLayers(index).toBuilder()));
        NetworkSpec corrupt = spec.build();
        return assertThrows(IllegalArgumentException.class, () -> NetworkProtos.fromProto(corrupt));
    }

    @Test
    void fromProto_kindUnset_namesLayer() {
        var e = corruptLayer(2, LayerSpec.Builder::clearKind);

        assertThat(e)
                .hasMessage(
                        "network spec 'every-kind': layer 2 'leaky_relu_1': expected one of the"
                                + " layer kinds (dense, activation, dropout, softmax_output,"
                                + " conv2d, batch_norm, pool2d, global_average_pool, flatten,"
                                + " residual), found none (unset, or a kind newer than this"
                                + " reader)");
    }

    @Test
    void fromProto_activationKindUnspecified_throws() {
        var e =
                corruptLayer(
                        11,
                        l ->
                                l.setActivation(
                                        l.getActivation().toBuilder()
                                                .setKind(
                                                        io.depthlab.proto.bundle.Activation.Kind
                                                                .KIND_UNSPECIFIED)));

        assertThat(e)
                .hasMessage(
                        "network spec 'every-kind': layer 11 'sigmoid_1': activation kind:"
                                + " expected RELU, LEAKY_RELU, SIGMOID or TANH, found"
                                + " KIND_UNSPECIFIED (0)");
    }

    @Test
    void fromProto_poolKindUnknownNumber_throws() {
        var e = corruptLayer(3, l -> l.setPool2D(l.getPool2D().toBuilder().setKindValue(7)));

        assertThat(e)
                .hasMessage(
                        "network spec 'every-kind': layer 3 'pool': pool2d kind: expected MAX or"
                                + " AVERAGE, found unknown value 7");
    }

    @Test
    void fromProto_zeroKernel_throws() {
        var e = corruptLayer(0, l -> l.setConv2D(l.getConv2D().toBuilder().setKernelWidth(0)));

        assertThat(e)
                .hasMessage(
                        "network spec 'every-kind': layer 0 'conv2d_1': convolution kernel"
                                + " width: expected a positive number, found 0");
    }

    @Test
    void fromProto_filtersAboveIntRange_throws() {
        var e = corruptLayer(0, l -> l.setConv2D(l.getConv2D().toBuilder().setFilters(-1)));

        assertThat(e)
                .hasMessage(
                        "network spec 'every-kind': layer 0 'conv2d_1': conv2d filters: expected"
                                + " at most 2147483647, found 4294967295");
    }

    @Test
    void fromProto_missingWeightInit_throws() {
        var e = corruptLayer(10, l -> l.setDense(l.getDense().toBuilder().clearWeightInit()));

        assertThat(e)
                .hasMessage(
                        "network spec 'every-kind': layer 10 'dense_1': weight_init: expected an"
                                + " initializer, found none");
    }

    @Test
    void fromProto_initializerKindUnspecified_throws() {
        var e =
                corruptLayer(
                        10,
                        l ->
                                l.setDense(
                                        l.getDense().toBuilder()
                                                .setBiasInit(
                                                        io.depthlab.proto.bundle.Initializer
                                                                .getDefaultInstance())));

        assertThat(e)
                .hasMessageStartingWith(
                        "network spec 'every-kind': layer 10 'dense_1': bias_init: kind:"
                                + " expected ZEROS, CONSTANT,")
                .hasMessageEndingWith("found KIND_UNSPECIFIED (0)");
    }

    @Test
    void fromProto_initializerWithUnusedField_throws() {
        var e =
                corruptLayer(
                        0,
                        l ->
                                l.setConv2D(
                                        l.getConv2D().toBuilder()
                                                .setWeightInit(
                                                        l.getConv2D().getWeightInit().toBuilder()
                                                                .setValue(3))));

        assertThat(e)
                .hasMessage(
                        "network spec 'every-kind': layer 0 'conv2d_1': weight_init: UNIFORM"
                                + " initializer: expected 0 in the fields it does not use, found"
                                + " value 3.0, low 0.0, high 0.0");
    }

    @Test
    void fromProto_penaltyOnActivation_throws() {
        var e =
                corruptLayer(
                        2,
                        l ->
                                l.addPenalties(
                                        io.depthlab.proto.bundle.Penalty.newBuilder()
                                                .setKind(io.depthlab.proto.bundle.Penalty.Kind.L2)
                                                .setCoefficient(1e-3)));

        assertThat(e)
                .hasMessage(
                        "network spec 'every-kind': layer 2 'leaky_relu_1': expected no penalties"
                                + " (a activation layer has no weights), found 1");
    }

    @Test
    void fromProto_penaltyKindUnspecified_throws() {
        var e =
                corruptLayer(
                        0,
                        l ->
                                l.setPenalties(
                                        0,
                                        l.getPenalties(0).toBuilder()
                                                .setKind(
                                                        io.depthlab.proto.bundle.Penalty.Kind
                                                                .KIND_UNSPECIFIED)));

        assertThat(e)
                .hasMessage(
                        "network spec 'every-kind': layer 0 'conv2d_1': convolution penalty 0:"
                                + " kind: expected L1 or L2, found KIND_UNSPECIFIED (0)");
    }

    @Test
    void fromProto_penaltyCoefficientZero_throws() {
        var e =
                corruptLayer(
                        12,
                        l -> l.setPenalties(0, l.getPenalties(0).toBuilder().setCoefficient(0)));

        assertThat(e)
                .hasMessage(
                        "network spec 'every-kind': layer 12 'dense_2': dense penalty 0: L1"
                                + " coefficient: expected a positive finite number, found 0.0");
    }

    @Test
    void fromProto_twoL1PenaltiesOnLayer_throws() {
        var e = corruptLayer(12, l -> l.addPenalties(l.getPenalties(0)));

        assertThat(e)
                .hasMessageStartingWith(
                        "network spec 'every-kind': layer 12 'dense_2': dense penalties:"
                                + " expected at most one of each kind, found");
    }

    @Test
    void fromProto_twoNetworkPenaltiesOfOneKind_throws() {
        NetworkSpec spec = NetworkProtos.toProto(everyKind());
        NetworkSpec corrupt = spec.toBuilder().addPenalties(spec.getPenalties(0)).build();

        var e =
                assertThrows(
                        IllegalArgumentException.class, () -> NetworkProtos.fromProto(corrupt));

        assertThat(e)
                .hasMessageStartingWith(
                        "network spec 'every-kind': network penalties: expected at most one of"
                                + " each kind, found");
    }

    @Test
    void fromProto_networkPenaltyKindUnknown_namesThePenalty() {
        NetworkSpec spec = NetworkProtos.toProto(everyKind());
        NetworkSpec corrupt =
                spec.toBuilder()
                        .setPenalties(1, spec.getPenalties(1).toBuilder().setKindValue(5))
                        .build();

        var e =
                assertThrows(
                        IllegalArgumentException.class, () -> NetworkProtos.fromProto(corrupt));

        assertThat(e)
                .hasMessage(
                        "network spec 'every-kind': network penalty 1: kind: expected L1 or L2,"
                                + " found unknown value 5");
    }

    @Test
    void fromProto_dropRateOne_throws() {
        var e = corruptLayer(9, l -> l.setDropout(l.getDropout().toBuilder().setDropRate(1)));

        assertThat(e)
                .hasMessage(
                        "network spec 'every-kind': layer 9 'dropout_1': dropout drop rate:"
                                + " expected a probability in [0, 1), found 1.0");
    }

    @Test
    void fromProto_batchNormMomentumUnset_throws() {
        var e = corruptLayer(1, l -> l.setBatchNorm(l.getBatchNorm().toBuilder().clearMomentum()));

        assertThat(e)
                .hasMessage(
                        "network spec 'every-kind': layer 1 'batch_norm_1': batch norm momentum:"
                                + " expected a value in (0, 1), found 0.0");
    }

    @Test
    void fromProto_layerWithoutName_throws() {
        var e = corruptLayer(7, LayerSpec.Builder::clearName);

        assertThat(e)
                .hasMessage(
                        "network spec 'every-kind': layer 7 '': expected a layer name, found"
                                + " none");
    }

    @Test
    void fromProto_nameWithDot_throws() {
        var e = corruptLayer(7, l -> l.setName("gap.0"));

        assertThat(e)
                .hasMessage(
                        "network spec 'every-kind': layer 7 'gap.0': layer name: expected no '.',"
                                + " '/' or blank, found 'gap.0'");
    }

    @Test
    void fromProto_duplicateName_throws() {
        var e = corruptLayer(8, l -> l.setName("pool"));

        assertThat(e)
                .hasMessage(
                        "network spec 'every-kind': layer 8 'pool': expected a unique name, found"
                                + " it already used by layer 3");
    }

    @Test
    void fromProto_residualWithoutNeededProjection_throws() {
        var e = corruptLayer(4, l -> l.setResidual(l.getResidual().toBuilder().clearProjection()));

        assertThat(e)
                .hasMessage(
                        "network spec 'every-kind': layer 4 'residual_1': expected a projection,"
                                + " since the body turns [8, 8, 8] into [16, 4, 4], found none");
    }

    @Test
    void fromProto_projectionNotAConvolution_throws() {
        var e =
                corruptLayer(
                        4,
                        l ->
                                l.setResidual(
                                        l.getResidual().toBuilder()
                                                .setProjection(l.getResidual().getBody(1))));

        assertThat(e)
                .hasMessage(
                        "network spec 'every-kind': layer 4 'residual_1': projection"
                                + " 'batch_norm_2': expected a conv2d layer, found batch_norm");
    }

    @Test
    void fromProto_corruptBodyLayer_namesThePath() {
        var e =
                corruptLayer(
                        4,
                        l ->
                                l.setResidual(
                                        l.getResidual().toBuilder()
                                                .setBody(
                                                        2,
                                                        l.getResidual().getBody(2).toBuilder()
                                                                .clearKind())));

        assertThat(e)
                .hasMessageStartingWith(
                        "network spec 'every-kind': layer 4 'residual_1': body layer 2 'relu_1':"
                                + " expected one of the layer kinds");
    }

    @Test
    void fromProto_emptyResidualBody_throws() {
        var e = corruptLayer(5, l -> l.setResidual(l.getResidual().toBuilder().clearBody()));

        assertThat(e)
                .hasMessage(
                        "network spec 'every-kind': layer 5 'residual_2': residual body: expected"
                                + " 1 or more layers, found 0");
    }

    @Test
    void fromProto_residualActivationUnspecified_throws() {
        var e =
                corruptLayer(
                        4,
                        l ->
                                l.setResidual(
                                        l.getResidual().toBuilder()
                                                .setActivation(
                                                        io.depthlab.proto.bundle.Activation
                                                                .getDefaultInstance())));

        assertThat(e)
                .hasMessage(
                        "network spec 'every-kind': layer 4 'residual_1': activation: activation"
                                + " kind: expected RELU, LEAKY_RELU, SIGMOID or TANH, found"
                                + " KIND_UNSPECIFIED (0)");
    }

    @Test
    void fromProto_layersThatDoNotFit_namesLayerAndShapes() {
        NetworkSpec spec = NetworkProtos.toProto(everyKind());
        NetworkSpec corrupt = spec.toBuilder().removeLayers(7).removeLayers(7).build();

        var e =
                assertThrows(
                        IllegalArgumentException.class, () -> NetworkProtos.fromProto(corrupt));

        assertThat(e)
                .hasMessageStartingWith(
                        "network spec 'every-kind': layer 8 'dense_1': dense expects a rank-1"
                                + " input (features), found [16, 2, 2]");
    }

    @Test
    void fromProto_emptyInputShape_throws() {
        NetworkSpec corrupt =
                NetworkProtos.toProto(everyKind()).toBuilder().clearInputShape().build();

        var e =
                assertThrows(
                        IllegalArgumentException.class, () -> NetworkProtos.fromProto(corrupt));

        assertThat(e)
                .hasMessage(
                        "network spec 'every-kind': input shape: expected 1 or more dimensions,"
                                + " found 0");
    }

    @Test
    void fromProto_inputDimensionOutOfIntRange_throws() {
        NetworkSpec corrupt =
                NetworkProtos.toProto(everyKind()).toBuilder().setInputShape(0, 1L << 31).build();

        var e =
                assertThrows(
                        IllegalArgumentException.class, () -> NetworkProtos.fromProto(corrupt));

        assertThat(e)
                .hasMessage(
                        "network spec 'every-kind': input shape: expected dimensions in [1,"
                                + " 2147483647], found [2147483648, 16, 16]");
    }

    @Test
    void fromProto_noLayers_throws() {
        NetworkSpec corrupt = NetworkProtos.toProto(everyKind()).toBuilder().clearLayers().build();

        var e =
                assertThrows(
                        IllegalArgumentException.class, () -> NetworkProtos.fromProto(corrupt));

        assertThat(e)
                .hasMessage("network spec 'every-kind': expected at least one layer, found none");
    }

    @Test
    void fromProto_emptyMessage_throwsNamingTheName() {
        NetworkSpec empty = NetworkSpec.getDefaultInstance();

        var e = assertThrows(IllegalArgumentException.class, () -> NetworkProtos.fromProto(empty));

        assertThat(e).hasMessage("network spec '': expected a network name, found none");
    }
}
