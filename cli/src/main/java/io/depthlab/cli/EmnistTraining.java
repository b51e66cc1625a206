package io.depthlab.cli;

import io.depthlab.dsl.Network;
import io.depthlab.proto.bundle.ModelBundle;
import io.depthlab.trainer.data.Dataset;
import io.depthlab.trainer.data.Emnist;
import io.depthlab.trainer.data.Normalization;
import io.depthlab.trainer.data.Split;
import io.depthlab.trainer.run.RunFolder;
import io.depthlab.trainer.training.ModelExport;
import io.depthlab.trainer.training.Trainer;
import io.depthlab.trainer.training.TrainingResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;

/**
 * One MLP training run on an EMNIST folder, from loading the data to the bundle on disk: what
 * {@code train} and {@code quickstart} share.
 */
final class EmnistTraining {

    /** The version label of bundles the command line writes: {@value}. */
    static final String MODEL_VERSION = "1";

    /** Pixels arrive as bytes 0..255; the network sees them scaled to [0, 1]. */
    private static final Normalization PIXELS = Normalization.scaleOnly(1f / 255f);

    private EmnistTraining() {}

    /** What a finished run left behind. */
    record Outcome(Dataset dataset, RunFolder run, ModelBundle bundle, TrainingResult result) {}

    /**
     * Loads {@code dataDir}, trains the MLP described by {@code options}, writes the run folder
     * under {@code runsDir} and returns it. The caller closes the result.
     */
    static Outcome run(Path dataDir, Path runsDir, TrainingOptions options, PrintStream console)
            throws IOException {
        check(options);
        Dataset dataset = load(dataDir);
        Split split =
                Split.trainValidationFraction(dataset.train(), options.validFraction, options.seed);
        Network network = options.network();
        console.print(network.summary());
        console.flush();

        RunFolder run = RunFolder.create(runsDir, network.name(), Instant.now());
        run.writeNetwork(network);
        Trainer trainer =
                Trainer.builder(network)
                        .optimizer(options.optimizer())
                        .epochs(options.epochs)
                        .batchSize(options.batchSize)
                        .seed(options.seed)
                        .listener(new TrainingProgress(run, console))
                        .build();
        TrainingResult result =
                trainer.train(split.train(), split.validation(), dataset.test(), PIXELS);
        try {
            run.writeResult(result);
            ModelBundle bundle =
                    ModelExport.toBundle(
                            result,
                            MODEL_VERSION,
                            dataset.name(),
                            PIXELS.toProto(dataset.layout(), Emnist.SIZE, Emnist.SIZE),
                            dataset.train().classNames());
            run.writeBundle(bundle);
            return new Outcome(dataset, run, bundle, result);
        } catch (IOException | RuntimeException e) {
            result.close();
            throw e;
        }
    }

    /**
     * Loads EMNIST from {@code dir}; a folder with every official variant (the unpacked {@code
     * gzip.zip}) is read as EMNIST Balanced, the study's variant.
     */
    static Dataset load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(
                    "--data " + dir + ": expected a folder of EMNIST IDX files, found no folder");
        }
        try (Stream<Path> files = Files.list(dir)) {
            boolean hasBalanced =
                    files.anyMatch(f -> f.getFileName().toString().startsWith("emnist-balanced-"));
            return Emnist.load(dir, hasBalanced ? "balanced" : null);
        }
    }

    private static void check(TrainingOptions options) {
        positive(options.epochs, "--epochs");
        positive(options.batchSize, "--batch-size");
        positive(options.hiddenUnits, "--hidden-units");
        if (!(options.learningRate > 0) || !Double.isFinite(options.learningRate)) {
            throw new IllegalArgumentException(
                    "--learning-rate: expected a positive number, found " + options.learningRate);
        }
        if (!(options.dropRate >= 0 && options.dropRate < 1)) {
            throw new IllegalArgumentException(
                    "--drop-rate: expected a probability in [0, 1), found " + options.dropRate);
        }
        if (!(options.l1 >= 0) || !(options.l2 >= 0)) {
            throw new IllegalArgumentException(
                    String.format(
                            "--l1 / --l2: expected coefficients >= 0, found %s / %s",
                            options.l1, options.l2));
        }
        if (!(options.validFraction > 0 && options.validFraction < 1)) {
            throw new IllegalArgumentException(
                    "--valid-fraction: expected a fraction in (0, 1), found "
                            + options.validFraction);
        }
    }

    private static void positive(int value, String option) {
        if (value < 1) {
            throw new IllegalArgumentException(
                    option + ": expected a positive number, found " + value);
        }
    }
}
