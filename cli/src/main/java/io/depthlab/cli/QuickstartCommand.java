package io.depthlab.cli;

import io.depthlab.proto.bundle.ModelBundle;
import io.depthlab.server.InferenceClient;
import io.depthlab.trainer.data.ImageSet;
import io.depthlab.trainer.training.TrainingResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code depthlab quickstart}: the whole product in one command. Trains the regularisation study's
 * MLP on real handwriting, exports it, serves it over gRPC and checks it with a real client.
 */
@Command(
        name = "quickstart",
        mixinStandardHelpOptions = true,
        description = {
            "Declare the regularisation study's MLP in the DSL, train it on the EMNIST sample"
                    + " shipped in data/emnist-sample (or --data DIR), keep the epoch with the best"
                    + " validation accuracy, report its test accuracy, write a run folder with the"
                    + " model bundle, serve it over gRPC with Prometheus metrics on 127.0.0.1,"
                    + " send test images through a gRPC client and keep serving until Ctrl-C."
        })
final class QuickstartCommand implements Callable<Integer> {

    /** How many test images the client check sends: {@value}. */
    static final int CHECKED_IMAGES = 8;

    /** How many requests of each kind the latency figure is taken over: {@value}. */
    static final int TIMED_REQUESTS = 200;

    /** The batch size of the timed batch requests: {@value}. */
    static final int TIMED_BATCH = 32;

    @Spec CommandSpec spec;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description = "An EMNIST folder in the official IDX format (default: the sample).")
    Path data;

    @Option(
            names = "--runs",
            paramLabel = "DIR",
            defaultValue = "runs",
            description = "Where run folders go (default: ${DEFAULT-VALUE}).")
    Path runs;

    @Option(
            names = "--exit",
            description = "Stop after the client check instead of serving until Ctrl-C.")
    boolean exitAfterCheck;

    @Option(
            names = "--port",
            defaultValue = "0",
            description = "gRPC port on 127.0.0.1 (default: any free port, printed).")
    int port;

    @Option(
            names = "--metrics-port",
            defaultValue = "0",
            description = "Metrics port on 127.0.0.1 (default: any free port, printed).")
    int metricsPort;

    @Mixin TrainingOptions training;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path dataFolder = Home.dataFolder(data, training.dataset);
        Serving.checkAvailable(servingOptions());
        TrainingRun.Outcome outcome = TrainingRun.run(dataFolder, runs, training, System.err);
        try (TrainingResult result = outcome.result()) {
            out.printf(
                    "%nTest accuracy: %.2f%% on %,d test images (parameters of epoch %d of %d)%n",
                    100 * result.testAccuracy(),
                    result.testExamples(),
                    result.bestEpoch(),
                    result.epochs().size());
            out.printf("Run folder: %s%n%n", outcome.run().dir());
            out.flush();
        }
        try (Serving serving = Serving.start(outcome.bundle(), servingOptions())) {
            checkWithClient(outcome.bundle(), outcome.dataset().test(), serving, out);
            out.printf("%ngRPC (KServe Open Inference Protocol v2): %s%n", serving.grpcAddress());
            out.printf("Prometheus metrics: %s%n", serving.metricsUrl());
            testImagesFile(dataFolder)
                    .ifPresent(
                            file ->
                                    out.printf(
                                            "Try: ./depthlab predict --port %d --idx %s --index"
                                                    + " 0%n",
                                            serving.port(), file));
            out.flush();
            if (exitAfterCheck) {
                out.println("Stopping the server (--exit).");
                out.flush();
            } else {
                out.println("Serving until Ctrl-C.");
                out.flush();
                serving.serveUntilInterrupted();
            }
        }
        return 0;
    }

    private ServingOptions servingOptions() {
        ServingOptions options = new ServingOptions();
        options.host = "127.0.0.1";
        options.port = port;
        options.metricsPort = metricsPort;
        return options;
    }

    /** Sends test images one at a time, then as one batch, and prints what came back. */
    private static void checkWithClient(
            ModelBundle bundle, ImageSet test, Serving serving, PrintWriter out) {
        List<String> labels = bundle.getClassLabelsList();
        int[] picks = new SplittableRandom(7).ints(CHECKED_IMAGES, 0, test.count()).toArray();
        try (InferenceClient client = InferenceClient.connect("127.0.0.1", serving.port())) {
            if (!client.waitUntilReady(Duration.ofSeconds(30))) {
                throw new IllegalStateException("the server did not report ready within 30 s");
            }
            out.printf("Predictions from the gRPC server for %d test images:%n", picks.length);
            out.printf("%6s  %4s  %9s  %11s%n", "image", "true", "predicted", "probability");
            int correct = 0;
            for (int i = 0; i < picks.length; i++) {
                float[] probabilities =
                        client.classify(bundle.getModelName(), test.example(picks[i]), 1)[0];
                int predicted = argmax(probabilities);
                boolean right = predicted == test.label(picks[i]);
                correct += right ? 1 : 0;
                out.printf(
                        "%6d  %4s  %9s  %10.1f%%  %s%n",
                        picks[i],
                        labels.get(test.label(picks[i])),
                        labels.get(predicted),
                        100 * probabilities[predicted],
                        right ? "ok" : "wrong");
            }
            out.printf("%d of %d right.%n", correct, picks.length);
            printLatency(client, bundle.getModelName(), test, out);
        }
    }

    /**
     * Times {@value #TIMED_REQUESTS} single-image requests and as many batches of {@value
     * #TIMED_BATCH}, one after another from this client, after the check above warmed both ends.
     */
    private static void printLatency(
            InferenceClient client, String model, ImageSet test, PrintWriter out) {
        long[] single = new long[TIMED_REQUESTS];
        long[] batched = new long[TIMED_REQUESTS];
        int size = test.exampleSize();
        byte[] batch = new byte[TIMED_BATCH * size];
        for (int i = 0; i < TIMED_REQUESTS; i++) {
            byte[] image = test.example(i % test.count());
            long start = System.nanoTime();
            client.classify(model, image, 1);
            single[i] = System.nanoTime() - start;
            for (int j = 0; j < TIMED_BATCH; j++) {
                System.arraycopy(test.example((i + j) % test.count()), 0, batch, j * size, size);
            }
            start = System.nanoTime();
            client.classify(model, batch, TIMED_BATCH);
            batched[i] = System.nanoTime() - start;
        }
        Arrays.sort(single);
        Arrays.sort(batched);
        out.printf(
                "Latency over gRPC (%d requests each): 1 image median %.2f ms, p95 %.2f ms;"
                        + " %d images median %.2f ms, p95 %.2f ms%n",
                TIMED_REQUESTS,
                single[TIMED_REQUESTS / 2] / 1e6,
                single[TIMED_REQUESTS * 95 / 100] / 1e6,
                TIMED_BATCH,
                batched[TIMED_REQUESTS / 2] / 1e6,
                batched[TIMED_REQUESTS * 95 / 100] / 1e6);
    }

    private static Optional<Path> testImagesFile(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().contains("test-images-idx3"))
                    .sorted()
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
