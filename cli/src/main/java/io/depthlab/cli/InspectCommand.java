package io.depthlab.cli;

import io.depthlab.dsl.Network;
import io.depthlab.dsl.NetworkProtos;
import io.depthlab.proto.bundle.EpochRecord;
import io.depthlab.proto.bundle.ModelBundle;
import io.depthlab.proto.bundle.Preprocessing;
import io.depthlab.proto.bundle.TrainingRecord;
import io.depthlab.trainer.bundle.Bundles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code depthlab inspect BUNDLE}: what a model bundle holds, without loading ND4J. */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        description =
                "Print a model bundle's network summary, preprocessing, classes and training"
                        + " record.")
final class InspectCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Parameters(paramLabel = "BUNDLE", description = "A model bundle file (.dlb).")
    Path bundleFile;

    @Override
    public Integer call() throws Exception {
        ModelBundle bundle = Bundles.read(bundleFile);
        Network network = NetworkProtos.fromProto(bundle.getNetwork());
        PrintWriter out = spec.commandLine().getOut();

        out.printf(
                "Model '%s' version '%s' (bundle format %d, %s)%n",
                bundle.getModelName(),
                bundle.getModelVersion(),
                bundle.getFormatVersion(),
                bundleFile);
        out.print(network.summary());
        out.println(describe(bundle.getPreprocessing()));
        out.printf(
                "Classes (%d): %s%n",
                bundle.getClassLabelsCount(), String.join(" ", bundle.getClassLabelsList()));
        out.printf("Parameter tensors: %d%n", bundle.getParametersCount());
        if (bundle.hasTraining()) {
            printRecord(out, bundle.getTraining());
        }
        out.flush();
        return 0;
    }

    private static String describe(Preprocessing preprocessing) {
        return String.format(
                "Input: %s raw values, x = (raw * %s - mean %s) / std %s; %s",
                preprocessing.getInputShapeList(),
                preprocessing.getScale(),
                preprocessing.getMeanList(),
                preprocessing.getStdList(),
                preprocessing.getLayout().isEmpty() ? "no layout note" : preprocessing.getLayout());
    }

    private static void printRecord(PrintWriter out, TrainingRecord record) {
        out.printf(
                "Trained on %s (%,d train / %,d valid / %,d test examples), %s, batch %d,"
                        + " seed %d, finished %s%n",
                record.getDataset(),
                record.getTrainExamples(),
                record.getValidExamples(),
                record.getTestExamples(),
                record.getOptimizer(),
                record.getBatchSize(),
                record.getSeed(),
                record.getFinishedAt());
        out.printf(
                "%5s %10s %9s %10s %9s %8s%n",
                "epoch", "train loss", "train acc", "valid loss", "valid acc", "seconds");
        for (EpochRecord epoch : record.getEpochsList()) {
            out.printf(
                    "%5d %10.4f %8.2f%% %10.4f %8.2f%% %8.1f%s%n",
                    epoch.getEpoch(),
                    epoch.getTrainLoss(),
                    100 * epoch.getTrainAccuracy(),
                    epoch.getValidLoss(),
                    100 * epoch.getValidAccuracy(),
                    epoch.getSeconds(),
                    epoch.getEpoch() == record.getBestEpoch() ? "  <- kept" : "");
        }
        out.printf(
                "Test: loss %.4f, accuracy %.2f%% (parameters of epoch %d)%n",
                record.getTestLoss(), 100 * record.getTestAccuracy(), record.getBestEpoch());
    }
}
