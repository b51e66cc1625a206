package io.depthlab.cli;

import io.depthlab.dsl.Network;
import io.depthlab.proto.bundle.ModelBundle;
import io.depthlab.trainer.data.Augmentation;
import io.depthlab.trainer.data.Cifar100;
import io.depthlab.trainer.data.Dataset;
import io.depthlab.trainer.data.Emnist;
import io.depthlab.trainer.data.FashionMnist;
import io.depthlab.trainer.data.ImageSet;
import io.depthlab.trainer.data.Normalization;
import io.depthlab.trainer.data.Split;
import io.depthlab.trainer.engine.NativeMemory;
import io.depthlab.trainer.run.RunFolder;
import io.depthlab.trainer.training.ModelExport;
import io.depthlab.trainer.training.Trainer;
import io.depthlab.trainer.training.TrainingResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training run, from loading the data to the bundle on disk: what {@code train} and {@code
 * quickstart} share.
 */
final class TrainingRun {

    /** The version label of bundles the command line writes: {@value}. */
    static final String MODEL_VERSION = "1";

    /** Grey pixels arrive as bytes 0..255; the network sees them scaled to [0, 1]. */
    private static final Normalization GREY_PIXELS = Normalization.scaleOnly(1f / 255f);

    private static final Logger log = LoggerFactory.getLogger(TrainingRun.class);

    private TrainingRun() {}

    /** What a finished run left behind; closing it frees the trained network. */
    record Outcome(Dataset dataset, RunFolder run, ModelBundle bundle, TrainingResult result)
            implements AutoCloseable {
        @Override
        public void close() {
            result.close();
        }
    }

    /**
     * Loads {@code dataDir}, trains the network {@code options} describe, writes the run folder
     * under {@code runsDir} and returns it.
     */
    static Outcome run(Path dataDir, Path runsDir, TrainingOptions options, PrintStream console)
            throws IOException {
        options.check();
        NativeMemory.advice().ifPresent(log::warn);
        if (Files.exists(runsDir) && !Files.isDirectory(runsDir)) {
            throw new IOException("--runs " + runsDir + ": expected a folder, found a file");
        }
        Dataset dataset = limit(load(options.dataset, dataDir), options.limit);
        long validation = Math.round(options.validFraction() * dataset.train().count());
        if (validation < 1 || validation >= dataset.train().count()) {
            throw new IllegalArgumentException(
                    String.format(
                            "--valid-fraction %s of %d training examples: expected at least one"
                                    + " example for validation and one for training, found %d"
                                    + " and %d; use more examples (--limit) or another fraction",
                            options.validFraction(),
                            dataset.train().count(),
                            validation,
                            dataset.train().count() - validation));
        }
        Split split =
                Split.trainValidationFraction(
                        dataset.train(), options.validFraction(), options.seed);
        Network network = options.network(dataset.train());
        console.print(network.summary());
        console.flush();
        if (options.batchSize > split.train().count()) {
            log.warn(
                    "--batch-size {} is larger than the {} training examples: one step per epoch",
                    options.batchSize,
                    split.train().count());
        }

        RunFolder run = RunFolder.create(runsDir, network.name(), Instant.now());
        run.writeNetwork(network);
        Normalization normalization = options.isCifar() ? Normalization.cifarStudy() : GREY_PIXELS;
        Trainer.Builder trainer =
                Trainer.builder(network)
                        .optimizer(options.optimizer())
                        .schedule(options.schedule())
                        .epochs(options.epochs)
                        .batchSize(options.batchSize)
                        .seed(options.seed)
                        .listener(new TrainingProgress(run, console));
        if (options.augment()) {
            trainer.augmentation(Augmentation.cropAndFlip(options.seed));
        }
        TrainingResult result;
        // Ctrl-C or a kill ends the JVM mid-epoch: say what the run folder keeps.
        Thread interrupted =
                new Thread(
                        () ->
                                console.printf(
                                        "%nInterrupted: %s keeps summary.csv and gradient_flow.csv"
                                                + " for the epochs that finished; no model.dlb"
                                                + " (a run writes it when training ends)%n",
                                        run.dir()),
                        "depthlab-interrupted");
        Runtime.getRuntime().addShutdownHook(interrupted);
        try {
            result =
                    trainer.build()
                            .train(
                                    split.train(),
                                    split.validation(),
                                    dataset.test(),
                                    normalization);
        } catch (RuntimeException e) {
            removeIfNoEpoch(run);
            throw e;
        } finally {
            removeHook(interrupted);
        }
        try {
            run.writeResult(result);
            ImageSet test = dataset.test();
            ModelBundle bundle =
                    ModelExport.toBundle(
                            result,
                            MODEL_VERSION,
                            dataset.name(),
                            normalization.toProto(dataset.layout(), inputShape(test)),
                            test.classNames());
            run.writeBundle(bundle);
            return new Outcome(dataset, run, bundle, result);
        } catch (IOException | RuntimeException e) {
            result.close();
            throw e;
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or about to: its message is the right one.
        }
    }

    /**
     * A run that failed before its first epoch ended leaves nothing worth keeping; one that failed
     * later keeps its summary.csv.
     */
    private static void removeIfNoEpoch(RunFolder run) throws IOException {
        if (Files.exists(run.dir().resolve(RunFolder.SUMMARY_CSV))) {
            return;
        }
        try (Stream<Path> files = Files.list(run.dir())) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(run.dir());
    }

    /** Loads a data set folder of the given kind. */
    static Dataset load(TrainingOptions.DatasetKind kind, Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(
                    String.format(
                            "--data %s: expected a folder of %s, found no folder",
                            dir, kind.files));
        }
        return switch (kind) {
            case EMNIST -> loadEmnist(dir);
            case CIFAR100 -> Cifar100.load(dir, Cifar100.LabelKind.FINE);
            case FASHION_MNIST -> FashionMnist.load(dir);
        };
    }

    /**
     * A folder with every official EMNIST variant (the unpacked {@code gzip.zip}) is read as EMNIST
     * Balanced, the study's variant.
     */
    private static Dataset loadEmnist(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            boolean hasBalanced =
                    files.anyMatch(f -> f.getFileName().toString().startsWith("emnist-balanced-"));
            return Emnist.load(dir, hasBalanced ? "balanced" : null);
        }
    }

    private static Dataset limit(Dataset dataset, Integer limit) {
        if (limit == null) {
            return dataset;
        }
        return new Dataset(
                dataset.name(),
                dataset.layout(),
                first(dataset.train(), limit),
                first(dataset.test(), limit));
    }

    private static ImageSet first(ImageSet set, int count) {
        return count >= set.count() ? set : set.subset(IntStream.range(0, count).toArray());
    }

    private static int[] inputShape(ImageSet set) {
        return set.channels() == 1
                ? new int[] {set.height(), set.width()}
                : new int[] {set.channels(), set.height(), set.width()};
    }
}
