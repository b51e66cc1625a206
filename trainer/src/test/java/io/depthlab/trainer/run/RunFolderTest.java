package io.depthlab.trainer.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.depthlab.dsl.Activation;
import io.depthlab.dsl.Dense;
import io.depthlab.dsl.Network;
import io.depthlab.dsl.SoftmaxOutput;
import io.depthlab.trainer.training.EpochRecord;
import io.depthlab.trainer.training.GradientFlow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunFolderTest {

    @TempDir Path parent;

    @Test
    void create_sameSecondTwice_makesTwoFolders() throws Exception {
        Instant now = Instant.parse("2026-12-04T17:05:09Z");

        RunFolder first = RunFolder.create(parent, "emnist mlp", now);
        RunFolder second = RunFolder.create(parent, "emnist mlp", now);

        assertThat(first.dir().getFileName()).hasToString("20261204-170509-emnist_mlp");
        assertThat(second.dir().getFileName()).hasToString("20261204-170509-emnist_mlp-1");
    }

    @Test
    void writeEpochs_twoEpochs_writesHeaderAndOneRowEach() throws Exception {
        RunFolder run = RunFolder.at(parent.resolve("run"));

        run.writeEpochs(
                List.of(
                        new EpochRecord(1, 1.5, 0.6, 1.25, 0.65, 2.5, 1e-3),
                        new EpochRecord(2, 1.0, 0.7, 1.125, 0.7, 2.25, 5e-4)));

        assertThat(Files.readAllLines(run.dir().resolve(RunFolder.SUMMARY_CSV)))
                .containsExactly(
                        "epoch,train_loss,train_accuracy,valid_loss,valid_accuracy,seconds,"
                                + "learning_rate",
                        "1,1.500000,0.600000,1.250000,0.650000,2.500,0.00100000",
                        "2,1.000000,0.700000,1.125000,0.700000,2.250,0.000500000");
    }

    @Test
    void writeGradientFlow_namesEachWeightInHeader() throws Exception {
        RunFolder run = RunFolder.at(parent.resolve("run"));

        run.writeGradientFlow(
                new GradientFlow(
                        List.of("dense_1.weight", "dense_2.weight"),
                        List.of(List.of(0.5, 0.25), List.of(0.125, 0.0625))));

        assertThat(Files.readAllLines(run.dir().resolve(RunFolder.GRADIENT_FLOW_CSV)))
                .containsExactly(
                        "epoch,dense_1.weight,dense_2.weight",
                        "1,5.000000e-01,2.500000e-01",
                        "2,1.250000e-01,6.250000e-02");
    }

    @Test
    void writeNetwork_writesSpecAsJsonAndSummary() throws Exception {
        Network network =
                Network.sequential("tiny")
                        .input(4)
                        .layer(Dense.units(3))
                        .layer(Activation.relu())
                        .layer(Dense.units(2))
                        .layer(SoftmaxOutput.create())
                        .build();
        RunFolder run = RunFolder.at(parent.resolve("run"));

        run.writeNetwork(network);

        assertThat(Files.readString(run.dir().resolve(RunFolder.NETWORK_JSON)))
                .contains("\"name\": \"tiny\"", "\"units\": 3", "\"dense_2\"");
        assertThat(Files.readString(run.dir().resolve(RunFolder.NETWORK_TXT)))
                .contains("dense_1", "Total: 23 parameters");
        assertThat(run.dir()).isDirectoryNotContaining("glob:**.tmp");
    }
}
