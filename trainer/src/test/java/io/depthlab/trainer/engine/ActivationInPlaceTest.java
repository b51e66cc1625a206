package io.depthlab.trainer.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.depthlab.dsl.Activation;
import io.depthlab.dsl.BatchNorm;
import io.depthlab.dsl.Conv2d;
import io.depthlab.dsl.Dense;
import io.depthlab.dsl.Dropout;
import io.depthlab.dsl.Flatten;
import io.depthlab.dsl.Layer;
import io.depthlab.dsl.Network;
import io.depthlab.dsl.Pool2d;
import io.depthlab.dsl.Shape;
import io.depthlab.dsl.SoftmaxOutput;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Activations written over their input give the same outputs and gradients as copies. */
class ActivationInPlaceTest {

    static Stream<Layer> activations() {
        return Stream.of(
                        Activation.relu(),
                        Activation.leakyRelu(0.01),
                        Activation.leakyRelu(0.5),
                        Activation.sigmoid(),
                        Activation.tanh())
                .map(builder -> builder.build().withName("a"));
    }

    @ParameterizedTest
    @MethodSource("activations")
    void inPlace_overwritesInput_withTheSameOutputAndGradient(Layer spec) {
        Shape shape = Shape.of(2, 3, 3);
        INDArray x = Nd4j.randn(DataType.FLOAT, 4, 2, 3, 3);
        INDArray gradOutput = Nd4j.randn(DataType.FLOAT, 4, 2, 3, 3);
        try (EngineLayer copying = EngineLayers.create(spec, shape, 1);
                EngineLayer inPlace = EngineLayers.create(spec, shape, 1)) {
            INDArray expected = copying.forward(x, true).dup();
            INDArray expectedGrad = copying.backward(gradOutput.dup(), true).dup();
            INDArray scratch = x.dup();

            INDArray output = inPlace.forward(scratch, true, true);
            INDArray grad = inPlace.backward(gradOutput.dup(), true);

            assertThat(output).isSameAs(scratch);
            assertThat(output).isEqualTo(expected);
            assertThat(grad).isEqualTo(expectedGrad);
            assertThat(copying.forward(x, true, false)).isNotSameAs(x);
        }
    }

    /**
     * A convolution's output is scratch for the activation after it; the network's input is not.
     */
    @ParameterizedTest
    @MethodSource("activations")
    void network_neverOverwritesItsInput(Layer activation) {
        Network spec =
                Network.sequential("n")
                        .input(4)
                        .layer(activation)
                        .layer(Dense.units(3))
                        .layer(SoftmaxOutput.create())
                        .build();
        try (Nd4jNetwork network = Nd4jNetwork.create(spec, 3)) {
            INDArray features = Nd4j.randn(DataType.FLOAT, 5, 4);
            INDArray before = features.dup();

            network.trainStep(features, new int[] {0, 1, 2, 0, 1});

            assertThat(features).isEqualTo(before);
            assertThat(network.layers().get(0).outputIsScratch()).isFalse();
        }
    }

    /**
     * Layers that write their own output and never read it hand it on (flatten copies images out of
     * the engine layout); the others keep it.
     */
    @Test
    void outputIsScratch_onlyForLayersThatOwnAndNeverReadTheirOutput() {
        Shape image = Shape.of(1, 4, 4);
        assertThat(scratch(Conv2d.filters(2).kernel(3).padding(1).build(), image)).isTrue();
        assertThat(scratch(BatchNorm.create().build(), image)).isTrue();
        assertThat(scratch(Pool2d.average(2).build(), image)).isTrue();
        assertThat(scratch(Dense.units(2).build(), Shape.of(3))).isTrue();
        assertThat(scratch(Activation.relu().build(), image)).isFalse();
        assertThat(scratch(Flatten.create(), image)).isTrue();
        assertThat(scratch(Dropout.dropRate(0.5).build(), image)).isFalse();
    }

    private static boolean scratch(Layer spec, Shape inputShape) {
        try (EngineLayer layer = EngineLayers.create(spec.withName("l"), inputShape, 1)) {
            return layer.outputIsScratch();
        }
    }
}
