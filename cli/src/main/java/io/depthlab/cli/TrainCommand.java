package io.depthlab.cli;

import io.depthlab.trainer.training.TrainingResult;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code depthlab train}: trains the regularisation study's MLP on an EMNIST folder. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Train a network: the regularisation study's MLP on EMNIST or Fashion-MNIST (IDX), or"
                    + " a VGG of the depth study on CIFAR-100 (official binary version).",
            "Writes a run folder: network.json, network.txt, summary.csv (a row per epoch),"
                    + " gradient_flow.csv, result.json and model.dlb (the bundle)."
        })
final class TrainCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description =
                    "The data set folder (default: for emnist the sample shipped in"
                            + " data/emnist-sample, for fashion-mnist Debian's package; cifar100"
                            + " needs it: see depthlab data fetch).")
    Path data;

    @Option(
            names = "--runs",
            paramLabel = "DIR",
            defaultValue = "runs",
            description = "Where run folders go (default: ${DEFAULT-VALUE}).")
    Path runs;

    @Mixin TrainingOptions training;

    @Override
    public Integer call() throws Exception {
        Path dataFolder = Home.dataFolder(data, training.dataset);
        try (TrainingRun.Outcome outcome =
                TrainingRun.run(dataFolder, runs, training, System.err)) {
            TrainingResult result = outcome.result();
            spec.commandLine()
                    .getOut()
                    .printf(
                            "Test accuracy: %.2f%% on %,d test images (parameters of epoch %d of"
                                    + " %d)%nRun folder: %s%n",
                            100 * result.testAccuracy(),
                            result.testExamples(),
                            result.bestEpoch(),
                            result.epochs().size(),
                            outcome.run().dir());
            return 0;
        }
    }
}
