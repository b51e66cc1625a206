package io.depthlab.trainer.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.depthlab.dsl.Dropout;
import io.depthlab.dsl.Shape;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DropoutLayerTest {
    private static final Dropout SPEC = Dropout.dropRate(0.3).build().withName("drop");

    @Test
    void forward_inference_returnsInputUnchanged() {
        try (EngineLayer layer = EngineLayers.create(SPEC, Shape.of(10), 1)) {
            INDArray x = Nd4j.rand(DataType.FLOAT, 4, 10);

            INDArray out = layer.forward(x, false);

            assertThat(out).isSameAs(x);
        }
    }

    @Test
    void forward_training_dropsAtRateAndScalesSurvivors() {
        try (EngineLayer layer = EngineLayers.create(SPEC, Shape.of(1000), 1)) {
            INDArray x = Nd4j.rand(DataType.FLOAT, 100, 1000).addi(1);

            float[] in = x.data().asFloat();
            float[] out = layer.forward(x, true).data().asFloat();

            int dropped = 0;
            for (int i = 0; i < in.length; i++) {
                if (out[i] == 0) {
                    dropped++;
                } else {
                    assertThat(out[i]).isCloseTo(in[i] / 0.7f, within(1e-5f));
                }
            }
            // 100,000 Bernoulli(0.3) draws: the standard deviation of the rate is 0.0015.
            assertThat(dropped / (double) in.length).isCloseTo(0.3, within(0.01));
        }
    }

    @Test
    void forward_training_drawsDifferentMaskPerExample() {
        try (EngineLayer layer = EngineLayers.create(SPEC, Shape.of(50), 1)) {
            INDArray x = Nd4j.ones(DataType.FLOAT, 2, 50);

            INDArray out = layer.forward(x, true);

            assertThat(out.getRow(0)).isNotEqualTo(out.getRow(1));
        }
    }

    @Test
    void forward_sameSeed_sameMasks() {
        INDArray x = Nd4j.ones(DataType.FLOAT, 8, 50);
        try (EngineLayer first = EngineLayers.create(SPEC, Shape.of(50), 7);
                EngineLayer second = EngineLayers.create(SPEC, Shape.of(50), 7);
                EngineLayer other = EngineLayers.create(SPEC, Shape.of(50), 8)) {

            INDArray a = first.forward(x, true);
            INDArray b = second.forward(x, true);
            INDArray c = other.forward(x, true);

            assertThat(a).isEqualTo(b);
            assertThat(a).isNotEqualTo(c);
        }
    }

    @Test
    void backward_multipliesByTheForwardMask() {
        try (EngineLayer layer = EngineLayers.create(SPEC, Shape.of(20), 3)) {
            INDArray x = Nd4j.ones(DataType.FLOAT, 5, 20);
            INDArray g = Nd4j.rand(DataType.FLOAT, 5, 20);
            // With an input of ones, the output is the scaled mask itself.
            INDArray mask = layer.forward(x, true).dup();

            INDArray gradInput = layer.backward(g.dup(), true);

            assertThat(gradInput).isEqualTo(g.mul(mask));
        }
    }

    @Test
    void zeroDropRate_training_isIdentity() {
        Dropout spec = Dropout.dropRate(0).build().withName("drop");
        try (EngineLayer layer = EngineLayers.create(spec, Shape.of(10), 1)) {
            INDArray x = Nd4j.rand(DataType.FLOAT, 4, 10);
            INDArray g = Nd4j.rand(DataType.FLOAT, 4, 10);

            INDArray out = layer.forward(x, true);
            INDArray gradInput = layer.backward(g, true);

            assertThat(out).isSameAs(x);
            assertThat(gradInput).isSameAs(g);
        }
    }
}
