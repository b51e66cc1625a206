package io.depthlab.trainer.engine.conv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.depthlab.dsl.Activation;
import io.depthlab.dsl.BatchNorm;
import io.depthlab.dsl.Conv2d;
import io.depthlab.dsl.Dense;
import io.depthlab.dsl.Initializer;
import io.depthlab.dsl.Residual;
import io.depthlab.dsl.Shape;
import io.depthlab.trainer.engine.EngineLayer;
import io.depthlab.trainer.engine.Parameter;
import io.depthlab.trainer.engine.StateTensor;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class ConvLayersTest {

    @Test
    void conv2d_fanInUniform_namesShapesAndBoundsParameters() {
        Conv2d spec =
                Conv2d.filters(4)
                        .kernel(3)
                        .weightInit(Initializer.fanInUniform())
                        .biasInit(Initializer.fanInUniform())
                        .build()
                        .withName("conv");

        try (EngineLayer layer =
                ConvLayers.create(spec, Shape.of(2, 5, 5), new SplittableRandom(1))) {
            List<Parameter> parameters = layer.parameters();

            assertThat(parameters)
                    .extracting(Parameter::name)
                    .containsExactly("conv.weight", "conv.bias");
            assertThat(parameters.get(0).shape()).containsExactly(4, 2, 3, 3);
            assertThat(parameters.get(0).isWeight()).isTrue();
            assertThat(parameters.get(1).shape()).containsExactly(4);
            // fan_in = channels * kernel area = 18
            double limit = 1 / Math.sqrt(18);
            for (Parameter parameter : parameters) {
                assertThat(parameter.value().amaxNumber().doubleValue()).isLessThanOrEqualTo(limit);
            }
            assertThat(parameters.get(0).value().amaxNumber().doubleValue())
                    .isGreaterThan(limit / 2);
        }
    }

    @Test
    void batchNorm_trainingForward_movesRunningStatisticsWithUnbiasedVariance() {
        BatchNorm spec = BatchNorm.create().momentum(0.25).build().withName("bn");
        INDArray x = Naive.random(DataType.FLOAT, 3, 4, 2, 3, 1);
        double[] values = Naive.values(x);

        try (EngineLayer layer =
                ConvLayers.create(spec, Shape.of(2, 3, 1), new SplittableRandom(1))) {
            layer.forward(Naive.nhwc(x), true).close();

            double[][] batch = Naive.moments(values, x.shape());
            // 12 values per channel: the running variance takes 12/11 of the biased one.
            double[] expectedMean = {0.25 * batch[0][0], 0.25 * batch[0][1]};
            double[] expectedVariance = {
                0.75 + 0.25 * batch[1][0] * 12 / 11, 0.75 + 0.25 * batch[1][1] * 12 / 11
            };
            List<StateTensor> state = layer.state();
            assertThat(state)
                    .extracting(StateTensor::name)
                    .containsExactly("bn.running_mean", "bn.running_var");
            assertThat(Naive.values(state.get(0).value()))
                    .containsExactly(expectedMean, within(1e-6));
            assertThat(Naive.values(state.get(1).value()))
                    .containsExactly(expectedVariance, within(1e-6));
        }
    }

    @Test
    void batchNorm_inferenceForward_usesRunningStatistics() {
        BatchNorm spec = BatchNorm.create().build().withName("bn");
        INDArray x = Naive.random(DataType.FLOAT, 5, 3, 2, 2, 2);

        try (EngineLayer layer =
                ConvLayers.create(spec, Shape.of(2, 2, 2), new SplittableRandom(1))) {
            layer.forward(Naive.nhwc(x.mul(3).addi(2)), true).close();
            double[] mean = Naive.values(layer.state().get(0).value());
            double[] variance = Naive.values(layer.state().get(1).value());

            INDArray y = Naive.nchw(layer.forward(Naive.nhwc(x), false));

            double[] expected =
                    Naive.normalize(
                            Naive.values(x),
                            x.shape(),
                            mean,
                            variance,
                            new double[] {1, 1},
                            new double[] {0, 0},
                            BatchNorm.DEFAULT_EPSILON);
            assertThat(Naive.values(y)).containsExactly(expected, within(1e-5));
            assertThat(layer.state().get(0).value().getDouble(0)).isEqualTo(mean[0]);
        }
    }

    @Test
    void batchNorm_trainingWithOneValuePerChannel_throwsNamingTheLayer() {
        BatchNorm spec = BatchNorm.create().build().withName("bn");
        INDArray x = Naive.random(DataType.FLOAT, 5, 1, 3);

        try (EngineLayer layer = ConvLayers.create(spec, Shape.of(3), new SplittableRandom(1))) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> layer.forward(x, true));

            assertThat(e)
                    .hasMessage(
                            "layer 'bn': training needs more than one value per channel, found"
                                    + " input [1, 3]");
        }
    }

    @Test
    void residual_trainingStep_leavesCallerArraysOpen() {
        Residual spec =
                new Residual(
                        "res",
                        List.of(
                                Conv2d.filters(2).kernel(3).padding(1).build().withName("c"),
                                BatchNorm.create().build().withName("b")),
                        Optional.empty(),
                        Optional.of(Activation.leakyRelu(0.01).build().withName("a")));
        INDArray x = Naive.random(DataType.FLOAT, 7, 2, 3, 3, 2);
        INDArray g = Naive.random(DataType.FLOAT, 8, 2, 3, 3, 2);

        try (EngineLayer layer =
                ConvLayers.create(spec, Shape.of(2, 3, 3), new SplittableRandom(1))) {
            INDArray y = layer.forward(x, true);
            INDArray gradX = layer.backward(g, true);
            boolean gradXClosed = gradX.wasClosed();
            INDArray inference = layer.forward(x, false);

            assertThat(x.wasClosed()).isFalse();
            assertThat(y.wasClosed()).isFalse();
            assertThat(g.wasClosed()).isFalse();
            assertThat(gradXClosed).isFalse();
            assertThat(gradX.shape()).containsExactly(2, 3, 3, 2);
            assertThat(inference.wasClosed()).isFalse();
        }
    }

    @Test
    void foldBatchNorms_inferenceMatchesUnfoldedLayers_withAndWithoutBias() {
        for (boolean bias : new boolean[] {false, true}) {
            Conv2d conv = Conv2d.filters(3).kernel(3).padding(1).bias(bias).build().withName("c");
            BatchNorm norm = BatchNorm.create().momentum(0.5).build().withName("b");
            INDArray x = Naive.random(DataType.FLOAT, 9, 4, 5, 5, 2);
            List<EngineLayer> folded = convAndNorm(conv, norm);
            List<EngineLayer> plain = convAndNorm(conv, norm);
            ConvLayers.foldBatchNorms(folded);

            for (List<EngineLayer> chain : List.of(folded, plain)) {
                // Moves the running statistics away from 0 and 1, and gamma and beta from theirs.
                chain.get(1).forward(chain.get(0).forward(x.mul(2).addi(1), true), true);
                chain.get(1).parameters().get(0).value().assign(Naive.random(DataType.FLOAT, 3, 3));
                chain.get(1).parameters().get(1).value().assign(Naive.random(DataType.FLOAT, 4, 3));
            }
            double[] expected = Naive.values(inference(plain, x));
            double[] actual = Naive.values(inference(folded, x));

            assertThat(actual).containsExactly(expected, within(1e-5));
            assertThat(folded.get(1).forward(x, false)).isSameAs(x);
            folded.forEach(EngineLayer::close);
            plain.forEach(EngineLayer::close);
        }
    }

    @Test
    void foldBatchNorms_backwardAfterFoldedInference_throwsNamingTheConvolution() {
        List<EngineLayer> chain =
                convAndNorm(
                        Conv2d.filters(2).kernel(1).build().withName("c"),
                        BatchNorm.create().build().withName("b"));
        ConvLayers.foldBatchNorms(chain);
        INDArray x = Naive.random(DataType.FLOAT, 1, 2, 3, 3, 2);
        INDArray y = inference(chain, x);

        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> chain.get(1).backward(y, true));

        assertThat(e)
                .hasMessage(
                        "layer 'b': backward needs a forward first in training mode (inference"
                                + " passes fold it into layer 'c')");
        chain.forEach(EngineLayer::close);
    }

    private static List<EngineLayer> convAndNorm(Conv2d conv, BatchNorm norm) {
        Shape input = Shape.of(2, 5, 5);
        EngineLayer convolution = ConvLayers.create(conv, input, new SplittableRandom(7));
        return List.of(
                convolution,
                ConvLayers.create(norm, convolution.outputShape(), new SplittableRandom(8)));
    }

    private static INDArray inference(List<EngineLayer> chain, INDArray x) {
        return chain.get(1).forward(chain.get(0).forward(x, false), false);
    }

    @Test
    void create_denseSpec_throws() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                ConvLayers.create(
                                        Dense.units(3).build().withName("d"),
                                        Shape.of(4),
                                        new SplittableRandom(1)));

        assertThat(e).hasMessageContaining("layer 'd'").hasMessageContaining("found dense");
    }
}
