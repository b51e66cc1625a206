package io.depthlab.trainer.run;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.depthlab.dsl.Network;
import io.depthlab.dsl.NetworkProtos;
import io.depthlab.proto.bundle.ModelBundle;
import io.depthlab.trainer.bundle.Bundles;
import io.depthlab.trainer.io.AtomicFiles;
import io.depthlab.trainer.training.EpochRecord;
import io.depthlab.trainer.training.GradientFlow;
import io.depthlab.trainer.training.TrainingResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The folder one training run writes: its network, its per-epoch figures, its result and its model
 * bundle. Every file is replaced atomically, so a crash or Ctrl-C leaves the last complete version
 * of each; {@code summary.csv} is rewritten after every epoch.
 *
 * <ul>
 *   <li>{@value #NETWORK_JSON}: the network spec (the bundle's {@code NetworkSpec} as JSON)
 *   <li>{@value #NETWORK_TXT}: its summary table
 *   <li>{@value #SUMMARY_CSV}: one row per epoch
 *   <li>{@value #GRADIENT_FLOW_CSV}: mean absolute gradient per weight tensor, one row per epoch
 *   <li>{@value #RESULT_JSON}: best epoch and test figures
 *   <li>{@value #BUNDLE}: the model bundle
 * </ul>
 *
 * <p>Not thread-safe: one run writes its folder from one thread.
 */
public final class RunFolder {

    public static final String NETWORK_JSON = "network.json";
    public static final String NETWORK_TXT = "network.txt";
    public static final String SUMMARY_CSV = "summary.csv";
    public static final String GRADIENT_FLOW_CSV = "gradient_flow.csv";
    public static final String RESULT_JSON = "result.json";
    public static final String BUNDLE = "model" + Bundles.EXTENSION;

    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final Path dir;

    private RunFolder(Path dir) {
        this.dir = dir;
    }

    /**
     * Creates a new folder {@code <parent>/<UTC time>-<name>} (with a numeric suffix if that
     * exists), so that runs never overwrite each other.
     */
    public static RunFolder create(Path parent, String name, Instant now) throws IOException {
        Objects.requireNonNull(name, "name");
        Files.createDirectories(parent);
        String base = STAMP.format(now) + "-" + name.replaceAll("[^A-Za-z0-9._-]", "_");
        for (int attempt = 0; ; attempt++) {
            Path dir = parent.resolve(attempt == 0 ? base : base + "-" + attempt);
            try {
                return new RunFolder(Files.createDirectory(dir));
            } catch (FileAlreadyExistsException e) {
                // Two runs in the same second: try the next suffix.
            }
        }
    }

    /** Uses {@code dir} as the run folder, creating it if needed; its files are replaced. */
    public static RunFolder at(Path dir) throws IOException {
        return new RunFolder(Files.createDirectories(dir));
    }

    public Path dir() {
        return dir;
    }

    /** The path of the bundle in this folder. */
    public Path bundle() {
        return dir.resolve(BUNDLE);
    }

    /** Writes the network spec as JSON and its summary table. */
    public void writeNetwork(Network network) throws IOException {
        try {
            String json = JsonFormat.printer().print(NetworkProtos.toProto(network));
            AtomicFiles.writeString(dir.resolve(NETWORK_JSON), json + "\n");
        } catch (InvalidProtocolBufferException e) {
            // Only messages with Any fields can fail to print; NetworkSpec has none.
            throw new UncheckedIOException(e);
        }
        AtomicFiles.writeString(dir.resolve(NETWORK_TXT), network.summary());
    }

    /** Rewrites {@value #SUMMARY_CSV} with one row per epoch so far. */
    public void writeEpochs(List<EpochRecord> epochs) throws IOException {
        StringBuilder csv =
                new StringBuilder(
                        "epoch,train_loss,train_accuracy,valid_loss,valid_accuracy,seconds,"
                                + "learning_rate\n");
        for (EpochRecord e : epochs) {
            csv.append(
                    String.format(
                            Locale.ROOT,
                            "%d,%.6f,%.6f,%.6f,%.6f,%.3f,%.6g%n",
                            e.epoch(),
                            e.trainLoss(),
                            e.trainAccuracy(),
                            e.validLoss(),
                            e.validAccuracy(),
                            e.seconds(),
                            e.learningRate()));
        }
        AtomicFiles.writeString(dir.resolve(SUMMARY_CSV), csv.toString());
    }

    /**
     * Writes {@value #GRADIENT_FLOW_CSV}: a column per weight tensor, a row per epoch; each value
     * is the mean absolute gradient of that tensor's loss gradient over the epoch's steps (the
     * study's gradient-flow plot), in scientific notation since it spans orders of magnitude.
     */
    public void writeGradientFlow(GradientFlow flow) throws IOException {
        StringBuilder csv = new StringBuilder("epoch");
        flow.weightNames().forEach(name -> csv.append(',').append(name));
        csv.append('\n');
        for (int epoch = 1; epoch <= flow.epochs().size(); epoch++) {
            csv.append(epoch);
            for (double value : flow.epochs().get(epoch - 1)) {
                csv.append(',').append(String.format(Locale.ROOT, "%.6e", value));
            }
            csv.append('\n');
        }
        AtomicFiles.writeString(dir.resolve(GRADIENT_FLOW_CSV), csv.toString());
    }

    /** Writes every file of a finished run except the bundle. */
    public void writeResult(TrainingResult result) throws IOException {
        writeEpochs(result.epochs());
        writeGradientFlow(result.gradientFlow());
        String json =
                String.format(
                        Locale.ROOT,
                        "{%n  \"best_epoch\": %d,%n  \"valid_accuracy\": %.6f,%n"
                                + "  \"test_loss\": %.6f,%n  \"test_accuracy\": %.6f,%n"
                                + "  \"test_examples\": %d,%n  \"finished_at\": \"%s\"%n}%n",
                        result.bestEpoch(),
                        result.best().validAccuracy(),
                        result.testLoss(),
                        result.testAccuracy(),
                        result.testExamples(),
                        result.finishedAt());
        AtomicFiles.writeString(dir.resolve(RESULT_JSON), json);
    }

    /** Writes the model bundle atomically. */
    public Path writeBundle(ModelBundle bundle) throws IOException {
        Bundles.write(bundle, bundle());
        return bundle();
    }
}
