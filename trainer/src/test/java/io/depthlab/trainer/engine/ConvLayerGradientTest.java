package io.depthlab.trainer.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.depthlab.dsl.Activation;
import io.depthlab.dsl.BatchNorm;
import io.depthlab.dsl.Conv2d;
import io.depthlab.dsl.Dense;
import io.depthlab.dsl.Flatten;
import io.depthlab.dsl.GlobalAveragePool;
import io.depthlab.dsl.Initializer;
import io.depthlab.dsl.Layer;
import io.depthlab.dsl.Network;
import io.depthlab.dsl.Pool2d;
import io.depthlab.dsl.Residual;
import io.depthlab.dsl.Shape;
import io.depthlab.dsl.SoftmaxOutput;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The image layers' backward passes against central differences of {@code L = sum(forward(x) * r)}
 * in double precision (see {@link GradientCheck}), input gradient and every parameter.
 */
class ConvLayerGradientTest {
    private static final int BATCH = 3;

    /**
     * libnd4j's leaky ReLU backward reads its slope as a float, 2.2e-8 relative off the forward's
     * double 0.01; 0.125 is exact in both, so the checks see only our own errors.
     */
    private static final double SLOPE = 0.125;

    @BeforeAll
    static void useDouble() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restoreFloat() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    }

    @Test
    void conv2d_paddedWithBias_matchesFiniteDifferences() {
        Layer spec =
                Conv2d.filters(3)
                        .kernel(3)
                        .padding(1)
                        .biasInit(Initializer.normal(0, 0.5))
                        .build()
                        .withName("c");

        assertLayerGradients(spec, Shape.of(2, 5, 4), true);
    }

    @Test
    void conv2d_stride2WithoutBias_matchesFiniteDifferences() {
        Layer spec = Conv2d.filters(3).kernel(3).stride(2).padding(1).bias(false).build();

        assertLayerGradients(spec.withName("c"), Shape.of(2, 5, 6), true);
    }

    @Test
    void conv2d_rectangularKernel_matchesFiniteDifferences() {
        Layer spec = Conv2d.filters(2).kernel(3, 2).build().withName("c");

        assertLayerGradients(spec, Shape.of(3, 4, 5), true);
    }

    @Test
    void batchNorm_imagesTraining_matchesFiniteDifferences() {
        assertLayerGradients(BatchNorm.create().build().withName("b"), Shape.of(3, 4, 2), true);
    }

    @Test
    void batchNorm_imagesInference_matchesFiniteDifferences() {
        assertLayerGradients(BatchNorm.create().build().withName("b"), Shape.of(3, 4, 2), false);
    }

    @Test
    void batchNorm_vectorsTraining_matchesFiniteDifferences() {
        assertLayerGradients(BatchNorm.create().build().withName("b"), Shape.of(5), true);
    }

    @Test
    void batchNorm_vectorsInference_matchesFiniteDifferences() {
        assertLayerGradients(BatchNorm.create().build().withName("b"), Shape.of(5), false);
    }

    @Test
    void maxPool_matchesFiniteDifferences() {
        assertLayerGradients(Pool2d.max(2).build().withName("p"), Shape.of(2, 4, 6), true);
    }

    @Test
    void averagePool_paddedStride2_matchesFiniteDifferences() {
        Layer spec = Pool2d.average(3).stride(2).padding(1).build().withName("p");

        assertLayerGradients(spec, Shape.of(2, 5, 5), true);
    }

    @Test
    void globalAveragePool_matchesFiniteDifferences() {
        assertLayerGradients(GlobalAveragePool.create().withName("g"), Shape.of(3, 4, 5), true);
    }

    @Test
    void flatten_matchesFiniteDifferences() {
        assertLayerGradients(Flatten.create().withName("f"), Shape.of(2, 3, 4), true);
    }

    @Test
    void residual_identityWithActivation_matchesFiniteDifferences() {
        Residual spec =
                new Residual(
                        "r",
                        List.of(conv("c1", 2, 1), norm("b1"), leaky("a1"), conv("c2", 2, 1)),
                        Optional.empty(),
                        Optional.of(leaky("a2")));

        assertLayerGradients(spec, Shape.of(2, 4, 4), true);
    }

    @Test
    void residual_identityEndingInBatchNorm_matchesFiniteDifferences() {
        // As in the VGG family: the norm writes its input gradient beside the identity's.
        Residual spec =
                new Residual(
                        "r",
                        List.of(
                                conv("c1", 2, 1),
                                norm("b1"),
                                leaky("a1"),
                                conv("c2", 2, 1),
                                norm("b2")),
                        Optional.empty(),
                        Optional.of(leaky("a2")));

        assertLayerGradients(spec, Shape.of(2, 4, 4), true);
    }

    @Test
    void residual_identityEndingInActivation_matchesFiniteDifferences() {
        Residual spec =
                new Residual(
                        "r",
                        List.of(conv("c1", 2, 1), leaky("a1")),
                        Optional.empty(),
                        Optional.empty());

        assertLayerGradients(spec, Shape.of(2, 4, 4), true);
    }

    @Test
    void residual_projectionWithBatchNorm_matchesFiniteDifferences() {
        Conv2d projection = Conv2d.filters(3).kernel(1).stride(2).bias(false).build().withName("p");
        Residual spec =
                new Residual(
                        "r",
                        List.of(conv("c1", 3, 2), norm("b1"), leaky("a1"), conv("c2", 3, 1)),
                        Optional.of(projection),
                        Optional.of(leaky("a2")));

        assertLayerGradients(spec, Shape.of(2, 4, 4), true);
    }

    @Test
    void residual_withoutInputGradient_givesSameParameterGradients() {
        Conv2d projection = Conv2d.filters(3).kernel(1).stride(2).bias(false).build().withName("p");
        Residual spec =
                new Residual(
                        "r",
                        List.of(conv("c1", 3, 2), norm("b1")),
                        Optional.of(projection),
                        Optional.empty());
        try (EngineLayer layer = EngineLayers.create(spec, Shape.of(2, 4, 4), 42)) {
            INDArray x = input(Shape.of(2, 4, 4));
            INDArray r = Nd4j.randn(11L, GradientCheck.batchShape(BATCH, layer.outputShape()));
            layer.forward(x, true);
            layer.backward(r.dup(), true);
            List<INDArray> expected =
                    layer.parameters().stream().map(p -> p.gradient().dup()).toList();

            layer.forward(x, true);
            INDArray gradInput = layer.backward(r.dup(), false);

            assertThat(gradInput).isNull();
            assertThat(layer.parameters())
                    .extracting(Parameter::name)
                    .containsExactly("c1.weight", "b1.gamma", "b1.beta", "p.weight");
            for (int i = 0; i < expected.size(); i++) {
                assertThat(layer.parameters().get(i).gradient()).isEqualTo(expected.get(i));
            }
        }
    }

    @Test
    void network_smallConvNet_parameterGradientsMatchFiniteDifferences() {
        Network spec =
                Network.sequential("cnn")
                        .input(2, 4, 4)
                        .layer(Conv2d.filters(2).kernel(3).padding(1).bias(false))
                        .layer(BatchNorm.create())
                        .layer(Activation.leakyRelu(SLOPE))
                        .layer(Pool2d.average(2))
                        .layer(
                                Residual.body(
                                                // No bias before batch norm: its gradient is 0.
                                                Conv2d.filters(3).kernel(3).padding(1).bias(false),
                                                BatchNorm.create())
                                        .activation(Activation.leakyRelu(SLOPE)))
                        .layer(GlobalAveragePool.create())
                        .layer(Dense.units(3))
                        .layer(SoftmaxOutput.create())
                        .build();
        int[] labels = {0, 2, 1};
        try (Nd4jNetwork network = Nd4jNetwork.create(spec, 7)) {
            // The network takes NCHW features, as data sets have them.
            INDArray x = ImageLayout.toNchw(input(Shape.of(2, 4, 4)));

            network.trainStep(x, labels);

            // Every finite difference runs a step that overwrites the gradients: keep them first.
            List<INDArray> analytic =
                    network.parameters().stream().map(p -> p.gradient().dup()).toList();
            for (int i = 0; i < analytic.size(); i++) {
                Parameter parameter = network.parameters().get(i);
                double error =
                        GradientCheck.error(
                                () -> network.trainStep(x, labels).loss(),
                                parameter.value(),
                                analytic.get(i));
                assertThat(error).as(parameter.name()).isLessThan(GradientCheck.TOLERANCE);
            }
        }
    }

    /**
     * Checks the input gradient and every parameter gradient of a fresh layer, with its parameters
     * moved off their initial values (batch norm starts at gamma 1, beta 0) and, for inference,
     * running statistics moved off theirs by a few training passes.
     */
    private static void assertLayerGradients(Layer spec, Shape inputShape, boolean training) {
        try (EngineLayer layer = EngineLayers.create(spec, inputShape, 42)) {
            long seed = 100;
            for (Parameter parameter : layer.parameters()) {
                parameter.value().addi(Nd4j.randn(seed++, parameter.shape()).muli(0.3));
            }
            INDArray x = input(inputShape);
            if (!training) {
                for (int i = 0; i < 3; i++) {
                    NdArrays.release(layer.forward(input(inputShape).muli(2).addi(1), true));
                }
            }
            INDArray r = Nd4j.randn(11L, GradientCheck.batchShape(BATCH, layer.outputShape()));
            layer.forward(x, training);
            // dup: Flatten's input gradient is a view, which the check does not take.
            INDArray gradInput = layer.backward(r.dup(), true).dup();
            List<INDArray> analytic =
                    layer.parameters().stream().map(p -> p.gradient().dup()).toList();

            assertThat(
                            GradientCheck.error(
                                    () -> GradientCheck.weightedSum(layer, x, r, training),
                                    x,
                                    gradInput))
                    .as("input gradient of %s", spec.kind())
                    .isLessThan(GradientCheck.TOLERANCE);
            for (int i = 0; i < analytic.size(); i++) {
                Parameter parameter = layer.parameters().get(i);
                assertThat(
                                GradientCheck.error(
                                        () -> GradientCheck.weightedSum(layer, x, r, training),
                                        parameter.value(),
                                        analytic.get(i)))
                        .as(parameter.name())
                        .isLessThan(GradientCheck.TOLERANCE);
            }
        }
    }

    private static Conv2d conv(String name, int filters, int stride) {
        return Conv2d.filters(filters)
                .kernel(3)
                .stride(stride)
                .padding(1)
                .bias(false)
                .build()
                .withName(name);
    }

    private static BatchNorm norm(String name) {
        return BatchNorm.create().build().withName(name);
    }

    private static Activation leaky(String name) {
        return Activation.leakyRelu(SLOPE).build().withName(name);
    }

    /** Random normal inputs kept at least 0.05 away from 0, the leaky ReLU's kink. */
    private static INDArray input(Shape shape) {
        INDArray x = Nd4j.randn(5L, GradientCheck.batchShape(BATCH, shape));
        for (long i = 0; i < x.length(); i++) {
            double v = x.getDouble(i);
            if (Math.abs(v) < 0.05) {
                x.putScalar(i, v < 0 ? v - 0.05 : v + 0.05);
            }
        }
        return x;
    }
}
