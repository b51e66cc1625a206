package io.depthlab.trainer.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.depthlab.dsl.Activation;
import io.depthlab.dsl.Dense;
import io.depthlab.dsl.Initializer;
import io.depthlab.dsl.Layer;
import io.depthlab.dsl.Shape;
import io.depthlab.dsl.SoftmaxOutput;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Each layer's backward pass against central differences of {@code L = sum(forward(x) * r)}, whose
 * gradient with respect to the output is the fixed random array {@code r}.
 */
class LayerGradientTest {
    private static final int BATCH = 3;

    @BeforeAll
    static void useDouble() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restoreFloat() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    }

    @Test
    void dense_withBias_matchesFiniteDifferences() {
        Layer spec = Dense.units(4).biasInit(Initializer.normal(0, 0.5)).build().withName("d");

        assertLayerGradients(spec, Shape.of(5));
    }

    @Test
    void dense_withoutBias_matchesFiniteDifferences() {
        Layer spec = Dense.units(2).bias(false).build().withName("d");

        assertLayerGradients(spec, Shape.of(6));
    }

    @Test
    void relu_matchesFiniteDifferences() {
        assertLayerGradients(Activation.relu().build().withName("a"), Shape.of(7));
    }

    @Test
    void leakyRelu_matchesFiniteDifferences() {
        assertLayerGradients(Activation.leakyRelu(0.01).build().withName("a"), Shape.of(7));
    }

    @Test
    void leakyRelu_onImages_matchesFiniteDifferences() {
        assertLayerGradients(Activation.leakyRelu(0.2).build().withName("a"), Shape.of(2, 3, 3));
    }

    @Test
    void sigmoid_matchesFiniteDifferences() {
        assertLayerGradients(Activation.sigmoid().build().withName("a"), Shape.of(7));
    }

    @Test
    void tanh_matchesFiniteDifferences() {
        assertLayerGradients(Activation.tanh().build().withName("a"), Shape.of(7));
    }

    @Test
    void softmax_asPlainLayer_matchesFiniteDifferences() {
        assertLayerGradients(SoftmaxOutput.create().withName("s"), Shape.of(5));
    }

    @Test
    void softmaxHead_lossGradient_matchesFiniteDifferences() {
        int[] labels = {0, 4, 2};
        try (EngineLayer layer =
                EngineLayers.create(SoftmaxOutput.create().withName("s"), Shape.of(5), 1)) {
            LossHead head = (LossHead) layer;
            INDArray scores = Nd4j.randn(7L, new long[] {BATCH, 5}).muli(3);
            head.forward(scores, true);
            INDArray analytic = head.lossGradient(labels);

            double error =
                    GradientCheck.error(
                            () -> {
                                head.forward(scores, true);
                                return head.loss(labels);
                            },
                            scores,
                            analytic);

            assertThat(error).isLessThan(GradientCheck.TOLERANCE);
        }
    }

    @Test
    void gradientCheck_wrongGradient_isCaught() {
        try (EngineLayer layer =
                EngineLayers.create(Activation.tanh().build().withName("a"), Shape.of(7), 1)) {
            INDArray x = input(Shape.of(7));
            INDArray r = Nd4j.randn(11L, new long[] {BATCH, 7});
            layer.forward(x, true);
            INDArray analytic = layer.backward(r.dup(), true);
            // A backward that forgot tanh's derivative passes r through unchanged.
            double forgotten =
                    GradientCheck.error(() -> GradientCheck.weightedSum(layer, x, r, true), x, r);
            double slightlyOff =
                    GradientCheck.error(
                            () -> GradientCheck.weightedSum(layer, x, r, true),
                            x,
                            analytic.mul(1.001));

            assertThat(forgotten).isGreaterThan(1e-2);
            assertThat(slightlyOff).isGreaterThan(100 * GradientCheck.TOLERANCE);
        }
    }

    /** Checks the input gradient and every parameter gradient of a fresh layer. */
    private static void assertLayerGradients(Layer spec, Shape inputShape) {
        try (EngineLayer layer = EngineLayers.create(spec, inputShape, 42)) {
            INDArray x = input(inputShape);
            long[] outShape = GradientCheck.batchShape(BATCH, layer.outputShape());
            INDArray r = Nd4j.randn(11L, outShape);
            layer.forward(x, true);
            INDArray gradInput = layer.backward(r.dup(), true);

            assertThat(
                            GradientCheck.error(
                                    () -> GradientCheck.weightedSum(layer, x, r, true),
                                    x,
                                    gradInput))
                    .as("input gradient of %s", spec.kind())
                    .isLessThan(GradientCheck.TOLERANCE);
            for (Parameter parameter : layer.parameters()) {
                INDArray analytic = parameter.gradient().dup();
                assertThat(
                                GradientCheck.error(
                                        () -> GradientCheck.weightedSum(layer, x, r, true),
                                        parameter.value(),
                                        analytic))
                        .as(parameter.name())
                        .isLessThan(GradientCheck.TOLERANCE);
            }
        }
    }

    /**
     * Random normal inputs kept at least 0.05 away from 0, where ReLU's kink would spoil the finite
     * difference.
     */
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
