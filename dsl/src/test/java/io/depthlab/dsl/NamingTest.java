package io.depthlab.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Automatic layer names and the projections residual blocks get when the network is built. */
class NamingTest {

    @Test
    void build_unnamedLayers_namedAfterKindAndCount() {
        Network network =
                Network.sequential("mlp")
                        .input(784)
                        .layer(Dense.units(100))
                        .layer(Activation.relu())
                        .layer(Dropout.dropRate(0.1))
                        .layer(Dense.units(47))
                        .layer(SoftmaxOutput.create())
                        .build();

        List<String> names = network.layers().stream().map(Layer::name).toList();

        assertThat(names).containsExactly("dense_1", "relu_1", "dropout_1", "dense_2", "softmax_1");
    }

    @Test
    void build_explicitNameLikeAutomaticOne_isSkipped() {
        Network network =
                Network.sequential("n")
                        .input(10)
                        .layer(Dense.units(5))
                        .layer(Dense.units(5).name("dense_1"))
                        .build();

        List<String> names = network.layers().stream().map(Layer::name).toList();

        assertThat(names).containsExactly("dense_2", "dense_1");
    }

    @Test
    void build_residualBlock_namesBlockThenBodyThenActivation() {
        Network network =
                Network.sequential("res")
                        .input(4, 8, 8)
                        .layer(Activation.relu())
                        .layer(
                                Residual.body(
                                                Conv2d.filters(4).kernel(3).padding(1),
                                                Activation.relu())
                                        .activation(Activation.relu()))
                        .build();

        Residual block = (Residual) network.layers().get(1);

        assertThat(block.name()).isEqualTo("residual_1");
        assertThat(block.body()).extracting(Layer::name).containsExactly("conv2d_1", "relu_2");
        assertThat(block.activation()).map(Layer::name).contains("relu_3");
    }

    @Test
    void build_residualWithStride2AndMoreChannels_addsStridedProjection() {
        Network network =
                Network.sequential("res")
                        .input(8, 32, 32)
                        .layer(
                                Residual.body(
                                        Conv2d.filters(16).kernel(3).stride(2).padding(1),
                                        Activation.relu(),
                                        Conv2d.filters(16).kernel(3).padding(1)))
                        .build();

        Residual block = (Residual) network.layers().get(0);

        assertThat(network.outputShape()).isEqualTo(Shape.of(16, 16, 16));
        assertThat(block.projection()).isPresent();
        Conv2d projection = block.projection().orElseThrow();
        assertThat(projection.name()).isEqualTo("residual_1_projection");
        assertThat(projection.filters()).isEqualTo(16);
        assertThat(projection.kernelHeight()).isEqualTo(1);
        assertThat(projection.kernelWidth()).isEqualTo(1);
        assertThat(projection.strideHeight()).isEqualTo(2);
        assertThat(projection.strideWidth()).isEqualTo(2);
        assertThat(projection.bias()).isFalse();
        // body: (16 * 8 * 9 + 16) + (16 * 16 * 9 + 16); projection: 16 * 8
        assertThat(network.parameterCount()).isEqualTo(1_168 + 2_320 + 128);
    }

    @Test
    void build_oddSizeHalved_projectionStrideRoundsUp() {
        Network network =
                Network.sequential("res")
                        .input(4, 7, 7)
                        .layer(Residual.body(Conv2d.filters(4).kernel(3).stride(2).padding(1)))
                        .build();

        Conv2d projection = ((Residual) network.layers().get(0)).projection().orElseThrow();

        // the body gives (7 + 2 - 3) / 2 + 1 = 4; a 1x1 stride-2 convolution gives ceil(7 / 2) = 4
        assertThat(projection.strideHeight()).isEqualTo(2);
        assertThat(network.outputShape()).isEqualTo(Shape.of(4, 4, 4));
    }

    @Test
    void build_nestedResidual_namesAndProjectsInnerBlock() {
        Network network =
                Network.sequential("nested")
                        .input(4, 8, 8)
                        .layer(
                                Residual.body(
                                        Residual.body(Conv2d.filters(8).kernel(1)),
                                        Activation.relu()))
                        .build();

        Residual outer = (Residual) network.layers().get(0);
        Residual inner = (Residual) outer.body().get(0);

        assertThat(inner.name()).isEqualTo("residual_2");
        assertThat(inner.body()).extracting(Layer::name).containsExactly("conv2d_1");
        assertThat(inner.projection()).map(Layer::name).contains("residual_2_projection");
        assertThat(outer.projection()).map(Layer::name).contains("residual_1_projection");
        assertThat(network.outputShape()).isEqualTo(Shape.of(8, 8, 8));
    }

    @Test
    void of_builtLayers_givesEqualNetwork() {
        Network built =
                Network.sequential("res")
                        .input(8, 32, 32)
                        .layer(Residual.body(Conv2d.filters(16).kernel(3).stride(2).padding(1)))
                        .layer(GlobalAveragePool.create())
                        .layer(Dense.units(10).l2(1e-4))
                        .layer(SoftmaxOutput.create())
                        .l1(1e-5)
                        .build();

        Network rebuilt =
                Network.of(built.name(), built.inputShape(), built.layers(), built.penalties());

        assertThat(rebuilt).isEqualTo(built);
        assertThat(rebuilt.hashCode()).isEqualTo(built.hashCode());
    }
}
