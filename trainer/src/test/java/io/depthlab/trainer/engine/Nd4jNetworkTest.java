package io.depthlab.trainer.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.depthlab.dsl.Activation;
import io.depthlab.dsl.Dense;
import io.depthlab.dsl.Initializer;
import io.depthlab.dsl.Network;
import io.depthlab.dsl.SoftmaxOutput;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class Nd4jNetworkTest {

    @Test
    void trainStep_networkWithPenalties_matchesFiniteDifferences() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            Network spec =
                    Network.sequential("check")
                            .input(5)
                            .layer(Dense.units(4).l1(0.03).biasInit(Initializer.normal(0, 0.3)))
                            .layer(Activation.tanh())
                            .layer(Dense.units(4).l2(0.02))
                            .layer(Activation.leakyRelu(0.1))
                            .layer(Dense.units(3).bias(false))
                            .layer(Activation.sigmoid())
                            .layer(Dense.units(3))
                            .layer(SoftmaxOutput.create())
                            .l2(0.05)
                            .build();
            try (Nd4jNetwork network = Nd4jNetwork.create(spec, 3)) {
                INDArray x = Nd4j.randn(9L, new long[] {4, 5});
                int[] labels = {2, 0, 1, 2};
                network.trainStep(x, labels);

                for (Parameter parameter : network.parameters()) {
                    INDArray analytic = parameter.gradient().dup();
                    double error =
                            GradientCheck.error(
                                    () -> network.evaluate(x, labels).loss() + network.penalty(),
                                    parameter.value(),
                                    analytic);

                    assertThat(error).as(parameter.name()).isLessThan(GradientCheck.TOLERANCE);
                }
            }
        } finally {
            Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        }
    }

    @Test
    void penalty_knownWeights_isL1PlusHalfL2() {
        Network spec =
                Network.sequential("p")
                        .input(2)
                        .layer(Dense.units(2).l1(0.1).weightInit(Initializer.constant(-2)))
                        .layer(SoftmaxOutput.create())
                        .l2(0.5)
                        .build();
        try (Nd4jNetwork network = Nd4jNetwork.create(spec, 1)) {

            double penalty = network.penalty();

            // Four weights of -2: L1 0.1 * 8 = 0.8; L2 0.5 * 0.5 * 16 = 4; the bias is exempt.
            assertThat(penalty).isCloseTo(4.8, within(1e-6));
        }
    }

    @Test
    void evaluate_zeroWeights_givesLogOfClassCount() {
        Network spec =
                Network.sequential("zero")
                        .input(3)
                        .layer(Dense.units(4).weightInit(Initializer.zeros()))
                        .layer(SoftmaxOutput.create())
                        .build();
        try (Nd4jNetwork network = Nd4jNetwork.create(spec, 1)) {
            INDArray x = Nd4j.rand(DataType.FLOAT, 5, 3);

            BatchResult result = network.evaluate(x, new int[] {0, 1, 2, 3, 0});

            // Uniform probabilities over 4 classes: the loss is ln 4; argmax ties pick class 0.
            assertThat(result.loss()).isCloseTo(Math.log(4), within(1e-6));
            assertThat(result.correct()).isEqualTo(2);
            assertThat(result.examples()).isEqualTo(5);
        }
    }

    @Test
    void evaluate_extremeScores_staysFinite() {
        Network spec =
                Network.sequential("extreme")
                        .input(1)
                        .layer(Dense.units(2).weightInit(Initializer.constant(1)).bias(false))
                        .layer(SoftmaxOutput.create())
                        .build();
        try (Nd4jNetwork network = Nd4jNetwork.create(spec, 1)) {
            network.parameters()
                    .get(0)
                    .value()
                    .assign(Nd4j.createFromArray(new float[][] {{500, -500}}));
            INDArray x = Nd4j.ones(DataType.FLOAT, 1, 1);

            BatchResult result = network.evaluate(x, new int[] {1});

            // p(class 1) = e^-1000 underflows float; the log-sum-exp loss is exactly 1000.
            assertThat(result.loss()).isCloseTo(1000, within(1e-3));
        }
    }

    @Test
    void output_returnsProbabilitiesPerExample() {
        try (Nd4jNetwork network = Nd4jNetwork.create(mlp(), 1)) {
            INDArray x = Nd4j.rand(DataType.FLOAT, 6, 8);

            INDArray p = network.output(x);

            assertThat(p.shape()).containsExactly(6, 3);
            for (int i = 0; i < 6; i++) {
                assertThat(p.getRow(i).sumNumber().doubleValue()).isCloseTo(1, within(1e-5));
            }
        }
    }

    @Test
    void create_sameSeed_sameParameters() {
        try (Nd4jNetwork a = Nd4jNetwork.create(mlp(), 5);
                Nd4jNetwork b = Nd4jNetwork.create(mlp(), 5);
                Nd4jNetwork c = Nd4jNetwork.create(mlp(), 6)) {

            assertThat(a.parameters().get(0).value()).isEqualTo(b.parameters().get(0).value());
            assertThat(a.parameters().get(0).value()).isNotEqualTo(c.parameters().get(0).value());
            assertThat(a.parameters())
                    .extracting(Parameter::name)
                    .containsExactly(
                            "dense_1.weight", "dense_1.bias", "dense_2.weight", "dense_2.bias");
            assertThat(a.weights())
                    .extracting(Parameter::name)
                    .containsExactly("dense_1.weight", "dense_2.weight");
        }
    }

    @Test
    void trainStep_wrongFeatureShape_throwsNamingBothShapes() {
        try (Nd4jNetwork network = Nd4jNetwork.create(mlp(), 1)) {
            INDArray x = Nd4j.rand(DataType.FLOAT, 2, 7);
            int[] labels = {0, 1};

            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class, () -> network.trainStep(x, labels));

            assertThat(e)
                    .hasMessageContaining("expected features of shape [batch, 8]")
                    .hasMessageContaining("found [2, 7]");
        }
    }

    @Test
    void trainStep_labelOutOfRange_throwsNamingTheLabel() {
        try (Nd4jNetwork network = Nd4jNetwork.create(mlp(), 1)) {
            INDArray x = Nd4j.rand(DataType.FLOAT, 2, 8);
            int[] labels = {0, 3};

            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class, () -> network.trainStep(x, labels));

            assertThat(e)
                    .hasMessageContaining("label 1")
                    .hasMessageContaining("[0, 3)")
                    .hasMessageContaining("found 3");
        }
    }

    @Test
    void close_twice_isHarmlessAndLaterCallsFail() {
        Nd4jNetwork network = Nd4jNetwork.create(mlp(), 1);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 8);

        network.close();
        network.close();

        assertThrows(IllegalStateException.class, () -> network.output(x));
    }

    private static Network mlp() {
        return Network.sequential("mlp")
                .input(8)
                .layer(Dense.units(5))
                .layer(Activation.relu())
                .layer(Dense.units(3))
                .layer(SoftmaxOutput.create())
                .build();
    }
}
