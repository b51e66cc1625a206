package io.depthlab.trainer.bench;

import io.depthlab.trainer.engine.NativeMemory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The performance benchmark of the ND4J engine, the counterpart of the PyTorch anchor ({@code
 * shared/anchors/pytorch_bench.py}): for each model, training images per second at batch 100
 * (forward, cross-entropy, backward and an Adam step; median of at least 10 timed steps after 3
 * warm-ups, on random data), inference images per second at batch 64, latency at batch 1 and peak
 * resident memory. Each model runs in its own JVM, so that its peak memory is its own.
 *
 * <pre>
 * depthlab bench [--quick] [--max-wait SECONDS] [--models VGG_08,MLP_784_100_47,...]
 * depthlab bench --profile MODEL
 * </pre>
 *
 * <p>{@link #report} takes those arguments (and {@code --budget SECONDS}). {@code --profile}
 * instead reports the milliseconds of a training step at batch 100 per layer kind, forward and
 * backward (see {@link LayerProfile}), in this process.
 *
 * <p>Run it with {@code OMP_NUM_THREADS=2} (the default it passes to workers) to match the anchor's
 * {@code torch.set_num_threads(2)}, and with the allocator settings of {@link NativeMemory} where
 * the environment does not set them otherwise. Timed loops wait until other processes use less than
 * 10 % of the CPUs, as the anchor's do, for at most {@code --max-wait} seconds (default 120; 0
 * skips the wait and the retries); the last column says how much they used anyway. The report is a
 * Markdown table. Not a test: timings depend on the machine and its load.
 */
public final class Benchmark {
    /** The models of the anchor's timed run, in its order. */
    static final List<BenchModel> DEFAULT_MODELS =
            List.of(
                    BenchModel.VGG_08,
                    BenchModel.VGG_38,
                    BenchModel.VGG_38_BN_RC,
                    BenchModel.VGG_68_BN_RC,
                    BenchModel.MLP_784_100_47);

    /** Seconds of timed training runs per model, as in the anchor; inference gets 1/2 and 1/4. */
    static final double DEFAULT_BUDGET_SECONDS = 8;

    /** The anchor's budget with {@code --quick}. */
    static final double QUICK_BUDGET_SECONDS = 2;

    private static final String RESULT = "--result";
    private static final String WORKER = "--worker";

    private Benchmark() {}

    /**
     * The entry point of a worker JVM ({@code --worker MODEL --result FILE}): measures one model
     * and writes its figures to the result file. People run the benchmark through {@link #report}
     * ({@code depthlab bench}).
     */
    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        if (options.worker == null || options.result == null) {
            throw new IllegalArgumentException(
                    "benchmark: expected --worker MODEL --result FILE (run the benchmark with"
                            + " depthlab bench)");
        }
        Timing.maxWait = Duration.ofSeconds(options.maxWaitSeconds);
        Map<String, String> result = BenchWorker.run(options.worker, options.budgetSeconds);
        Files.writeString(options.result, encode(result));
    }

    /**
     * Runs the benchmark that {@code args} describe (see the class Javadoc) and returns its report:
     * the Markdown table, or with {@code --profile} the per-layer-kind table.
     *
     * @param progress receives one line per finished model, while the rest still runs
     */
    public static String report(String[] args, Consumer<String> progress) throws Exception {
        Options options = Options.parse(args);
        Timing.maxWait = Duration.ofSeconds(options.maxWaitSeconds);
        if (options.profile != null) {
            return LayerProfile.run(options.profile, BenchWorker.TRAIN_BATCH, 5);
        }
        List<Map<String, String>> rows = new ArrayList<>();
        for (BenchModel model : options.models) {
            Map<String, String> row = runWorker(model, options);
            progress.accept(
                    String.format(
                            Locale.ROOT,
                            "%-15s train %8s img/s  infer64 %8s img/s  lat1 %7s ms  rss %8s MB",
                            model,
                            row.get("train_img_s"),
                            row.get("infer64_img_s"),
                            row.get("infer1_ms"),
                            row.get("peak_rss_mb")));
            rows.add(row);
        }
        return table(rows);
    }

    /** Runs {@code model} in a fresh JVM with this one's class path and returns its result. */
    private static Map<String, String> runWorker(BenchModel model, Options options)
            throws IOException, InterruptedException {
        Path result = Files.createTempFile("depthlab-bench-" + model, ".result");
        try {
            return runWorker(model, options, result);
        } finally {
            Files.deleteIfExists(result);
        }
    }

    private static Map<String, String> runWorker(BenchModel model, Options options, Path result)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // ND4J's off-heap arrays are capped at the heap size unless told otherwise. The heap
        // itself only holds array handles, which keep libnd4j's native buffers until the garbage
        // collector frees them: a small young generation collects them every few steps (see
        // NativeMemory#JVM_OPTIONS), as the depthlab launcher does.
        command.addAll(
                List.of(
                        "-Xmx256m",
                        NativeMemory.JVM_OPTIONS,
                        "-Dorg.bytedeco.javacpp.maxbytes=0",
                        "-Dorg.bytedeco.javacpp.maxphysicalbytes=0"));
        String cache = System.getProperty("org.bytedeco.javacpp.cachedir");
        if (cache != null) {
            command.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
        }
        command.addAll(
                List.of(
                        "-cp",
                        System.getProperty("java.class.path"),
                        Benchmark.class.getName(),
                        WORKER,
                        model.name(),
                        RESULT,
                        result.toString(),
                        "--budget",
                        Double.toString(options.budgetSeconds),
                        "--max-wait",
                        Long.toString(options.maxWaitSeconds)));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putIfAbsent("OMP_NUM_THREADS", "2");
        NativeMemory.SETTINGS.forEach(builder.environment()::putIfAbsent);
        Process process = builder.start();
        // The worker's console output is only read for the error message below.
        String output = readAll(process.getInputStream());
        int exit = process.waitFor();
        String line = Files.readString(result);
        if (exit != 0 || line.isBlank()) {
            throw new IllegalStateException(
                    String.format(
                            "benchmark worker for %s: expected a result in %s, found exit code"
                                    + " %d and output:%n%s",
                            model, result, exit, output));
        }
        return decode(line);
    }

    static String table(List<Map<String, String>> rows) {
        StringBuilder table = new StringBuilder();
        table.append("| model | params | fwd MFLOP/img | train img/s (b=100) |")
                .append(" train step ms median (min) | infer img/s (b=64) | latency ms (b=1) |")
                .append(" peak RSS MB | other-load CPU % |\n")
                .append("|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, String> row : rows) {
            table.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %,d | %.2f | %.1f | %.1f (%.1f) | %.1f | %.2f | %.0f | %.1f"
                                    + " |%n",
                            row.get("model"),
                            Long.parseLong(row.get("params")),
                            number(row, "fwd_mflop"),
                            number(row, "train_img_s"),
                            number(row, "train_ms"),
                            number(row, "train_min_ms"),
                            number(row, "infer64_img_s"),
                            number(row, "infer1_ms"),
                            number(row, "peak_rss_mb"),
                            number(row, "foreign_cpu_pct")));
        }
        return table.toString();
    }

    private static double number(Map<String, String> row, String key) {
        return Double.parseDouble(row.get(key));
    }

    /** {@code key=value} pairs separated by spaces; neither keys nor values contain either. */
    static String encode(Map<String, String> values) {
        StringBuilder line = new StringBuilder();
        values.forEach((key, value) -> line.append(key).append('=').append(value).append(' '));
        return line.toString().trim();
    }

    static Map<String, String> decode(String line) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : line.trim().split(" ")) {
            int equals = pair.indexOf('=');
            if (equals < 1) {
                throw new IllegalArgumentException(
                        "benchmark result: expected key=value pairs, found '" + pair + "'");
            }
            values.put(pair.substring(0, equals), pair.substring(equals + 1));
        }
        return values;
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        in.transferTo(buffer);
        return buffer.toString(StandardCharsets.UTF_8);
    }

    /** The command line. */
    static final class Options {
        private List<BenchModel> models = DEFAULT_MODELS;
        private double budgetSeconds = DEFAULT_BUDGET_SECONDS;
        private BenchModel worker;
        private BenchModel profile;
        private Path result;
        private long maxWaitSeconds = 120;

        /** The models to measure, in order. */
        List<BenchModel> models() {
            return models;
        }

        static Options parse(String[] args) {
            Options options = new Options();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--quick" -> options.budgetSeconds = QUICK_BUDGET_SECONDS;
                    case "--budget" -> options.budgetSeconds = positive(value(args, ++i));
                    case "--models" -> options.models = models(value(args, ++i));
                    case "--max-wait" ->
                            options.maxWaitSeconds = Math.round(nonNegative(value(args, ++i)));
                    case WORKER -> options.worker = model(value(args, ++i));
                    case "--profile" -> options.profile = model(value(args, ++i));
                    case RESULT -> options.result = Path.of(value(args, ++i));
                    default ->
                            throw new IllegalArgumentException(
                                    "benchmark: expected --quick, --budget SECONDS, --max-wait"
                                            + " SECONDS, --models LIST or --profile MODEL, found '"
                                            + args[i]
                                            + "'");
                }
            }
            return options;
        }

        private static String value(String[] args, int i) {
            if (i >= args.length) {
                throw new IllegalArgumentException(
                        "benchmark: expected a value after " + args[i - 1] + ", found none");
            }
            return args[i];
        }

        private static double nonNegative(String text) {
            double value = Double.parseDouble(text);
            if (!(value >= 0) || Double.isInfinite(value)) {
                throw new IllegalArgumentException(
                        "benchmark --max-wait: expected seconds >= 0, found " + text);
            }
            return value;
        }

        private static double positive(String text) {
            double value = Double.parseDouble(text);
            if (!(value > 0) || Double.isInfinite(value)) {
                throw new IllegalArgumentException(
                        "benchmark --budget: expected positive seconds, found " + text);
            }
            return value;
        }

        private static List<BenchModel> models(String list) {
            List<BenchModel> models =
                    Arrays.stream(list.split(","))
                            .filter(name -> !name.isBlank())
                            .map(Options::model)
                            .toList();
            if (models.isEmpty()) {
                throw new IllegalArgumentException(
                        String.format(
                                "benchmark --models: expected a comma-separated list of %s,"
                                        + " found '%s'",
                                Arrays.toString(BenchModel.values()), list));
            }
            return models;
        }

        /** A model by its anchor name ({@code VGG_08}) or as train names it ({@code vgg-8}). */
        private static BenchModel model(String name) {
            String key = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (BenchModel model : BenchModel.values()) {
                if (model.name().equals(key) || model.trainName().equals(name.trim())) {
                    return model;
                }
            }
            throw new IllegalArgumentException(
                    String.format(
                            "benchmark: expected one of %s, found '%s'",
                            Arrays.toString(BenchModel.values()), name));
        }
    }
}
