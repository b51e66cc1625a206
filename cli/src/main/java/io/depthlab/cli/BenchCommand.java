package io.depthlab.cli;

import io.depthlab.trainer.bench.Benchmark;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code depthlab bench}: the engine's speed and memory, as the PyTorch anchor measures them. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Measure training images/s (batch 100, forward, backward, Adam step), inference"
                    + " images/s (batch 64), latency (batch 1) and peak resident memory of the"
                    + " study's models, each in its own JVM, and print a Markdown table.",
            "Compare with shared/anchors/pytorch_bench.py run in the same session; see"
                    + " BENCHMARKS.md. Run on an otherwise idle machine."
        })
final class BenchCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(
            names = "--models",
            paramLabel = "LIST",
            description =
                    "Comma-separated models, by the anchor's names or train's (vgg-38-bn-res,"
                            + " mlp); default: VGG_08, VGG_38, VGG_38_BN_RC, VGG_68_BN_RC,"
                            + " MLP_784_100_47.")
    String models;

    @Option(names = "--quick", description = "Shorter timed loops (2 s per model instead of 8).")
    boolean quick;

    @Option(
            names = "--max-wait",
            paramLabel = "SECONDS",
            description =
                    "Wait at most this long for other processes to leave the CPUs idle before each"
                            + " timed loop (default 120; 0 does not wait).")
    Integer maxWait;

    @Option(
            names = "--profile",
            paramLabel = "MODEL",
            description = "Instead, print a training step's milliseconds per layer kind.")
    String profile;

    @Override
    public Integer call() throws Exception {
        List<String> args = new ArrayList<>();
        if (models != null) {
            args.add("--models");
            args.add(models);
        }
        if (quick) {
            args.add("--quick");
        }
        if (maxWait != null) {
            args.add("--max-wait");
            args.add(maxWait.toString());
        }
        if (profile != null) {
            args.add("--profile");
            args.add(profile);
        }
        PrintWriter err = spec.commandLine().getErr();
        String report =
                Benchmark.report(
                        args.toArray(String[]::new),
                        line -> {
                            err.println(line);
                            err.flush();
                        });
        spec.commandLine().getOut().print(report);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
