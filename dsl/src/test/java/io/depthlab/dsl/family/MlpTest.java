package io.depthlab.dsl.family;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.depthlab.dsl.Activation;
import io.depthlab.dsl.Dense;
import io.depthlab.dsl.Dropout;
import io.depthlab.dsl.Initializer;
import io.depthlab.dsl.Layer;
import io.depthlab.dsl.Network;
import io.depthlab.dsl.NetworkProtos;
import io.depthlab.dsl.Penalty;
import io.depthlab.dsl.Shape;
import io.depthlab.dsl.SoftmaxOutput;
import org.junit.jupiter.api.Test;

/** The regularisation study's EMNIST MLP. */
class MlpTest {

    @Test
    void build_defaults_isTheUnregularisedBaseline() {
        Network network = Mlp.emnist().build();

        assertThat(network.name()).isEqualTo("emnist-mlp");
        assertThat(network.inputShape()).isEqualTo(Shape.of(784));
        assertThat(network.layers())
                .extracting(Layer::name)
                .containsExactly("hidden", "hidden_relu", "scores", "output");
        assertThat(network.layers().get(1))
                .isEqualTo(Activation.relu().name("hidden_relu").build());
        assertThat(network.layers().get(3)).isInstanceOf(SoftmaxOutput.class);
        assertThat(network.penalties()).isEmpty();
        // (784 * 100 + 100) + (100 * 47 + 47)
        assertThat(network.parameterCount()).isEqualTo(83_247);
        // 2 * (784 * 100 + 100 * 47)
        assertThat(network.flops()).isEqualTo(166_200);
        assertThat(network.outputShape()).isEqualTo(Shape.of(47));
    }

    @Test
    void build_regularised_addsDropoutAfterReluAndNetworkPenalties() {
        Network network = Mlp.emnist().dropRate(0.1).l1(1e-4).l2(1e-3).build();

        assertThat(network.layers())
                .extracting(Layer::name)
                .containsExactly("hidden", "hidden_relu", "hidden_dropout", "scores", "output");
        assertThat(((Dropout) network.layers().get(2)).dropRate()).isEqualTo(0.1);
        assertThat(network.penalties()).containsExactly(Penalty.l1(1e-4), Penalty.l2(1e-3));
        assertThat(network.parameterCount()).isEqualTo(83_247);
    }

    @Test
    void build_hiddenUnitsAndInitializers_applyToBothDenseLayers() {
        Network network =
                Mlp.emnist()
                        .hiddenUnits(50)
                        .weightInit(Initializer.zeros())
                        .biasInit(Initializer.constant(0.1))
                        .build();

        Dense hidden = (Dense) network.layers().get(0);
        Dense scores = (Dense) network.layers().get(2);

        assertThat(hidden.units()).isEqualTo(50);
        assertThat(scores.units()).isEqualTo(47);
        assertThat(hidden.weightInit()).isEqualTo(Initializer.zeros());
        assertThat(scores.biasInit()).isEqualTo(Initializer.constant(0.1));
    }

    @Test
    void dropRate_one_throws() {
        Mlp.Builder builder = Mlp.emnist();

        var e = assertThrows(IllegalArgumentException.class, () -> builder.dropRate(1.0));

        assertThat(e).hasMessage("dropout drop rate: expected a probability in [0, 1), found 1.0");
    }

    @Test
    void l2_negative_throws() {
        Mlp.Builder builder = Mlp.emnist();

        var e = assertThrows(IllegalArgumentException.class, () -> builder.l2(-1e-3));

        assertThat(e).hasMessage("MLP l2: expected a positive finite coefficient, found -0.001");
    }

    @Test
    void dropRate_setTwice_throws() {
        Mlp.Builder builder = Mlp.emnist().dropRate(0.3);

        var e = assertThrows(IllegalStateException.class, () -> builder.dropRate(0.1));

        assertThat(e)
                .hasMessage("MLP dropRate: expected to be set once, found it already set to 0.3");
    }

    @Test
    void roundTrip_regularised_givesEqualNetwork() {
        Network network = Mlp.emnist().dropRate(0.05).l1(1e-3).build();

        Network back = NetworkProtos.fromProto(NetworkProtos.toProto(network));

        assertThat(back).isEqualTo(network);
    }
}
