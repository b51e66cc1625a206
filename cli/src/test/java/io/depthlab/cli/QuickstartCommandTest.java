package io.depthlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.depthlab.proto.bundle.ModelBundle;
import io.depthlab.trainer.bundle.Bundles;
import io.depthlab.trainer.run.RunFolder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The quick start end to end on the EMNIST sample shipped in data/emnist-sample: train, export,
 * serve on loopback, check through a gRPC client, exit.
 */
class QuickstartCommandTest {

    /**
     * Five epochs on the sample reach 70-71 % test accuracy (measured 2026-12-04); 65 % leaves room
     * for thread-count and platform differences while still failing a model that learns little.
     */
    private static final double MIN_TEST_ACCURACY = 65.0;

    private static final Pattern ACCURACY = Pattern.compile("Test accuracy: ([0-9.]+)%");

    @TempDir Path runs;

    @Test
    void quickstart_fiveEpochsOnSample_trainsServesAndAnswers() throws Exception {
        StringWriter out = new StringWriter();
        CommandLine commandLine = Depthlab.commandLine();
        commandLine.setOut(new PrintWriter(out, true));

        int status =
                commandLine.execute(
                        "quickstart", "--exit", "--epochs", "5", "--runs", runs.toString());

        assertThat(status).isZero();
        Matcher accuracy = ACCURACY.matcher(out.toString());
        assertThat(accuracy.find()).as("output:%n%s", out).isTrue();
        assertThat(Double.parseDouble(accuracy.group(1))).isGreaterThan(MIN_TEST_ACCURACY);
        assertThat(out.toString())
                .contains("Predictions from the gRPC server for 8 test images")
                .contains("gRPC (KServe Open Inference Protocol v2): 127.0.0.1:")
                .contains("Prometheus metrics: http://127.0.0.1:")
                .containsPattern("Latency over gRPC \\(200 requests each\\): 1 image median");
        assertRunFolder();
    }

    private void assertRunFolder() throws Exception {
        List<Path> folders;
        try (Stream<Path> list = Files.list(runs)) {
            folders = list.toList();
        }
        assertThat(folders).hasSize(1);
        Path run = folders.get(0);
        assertThat(run.resolve(RunFolder.NETWORK_JSON)).isRegularFile();
        assertThat(Files.readAllLines(run.resolve(RunFolder.SUMMARY_CSV))).hasSize(6);
        assertThat(run.resolve(RunFolder.RESULT_JSON)).isRegularFile();
        ModelBundle bundle = Bundles.read(run.resolve(RunFolder.BUNDLE));
        assertThat(bundle.getModelName()).isEqualTo("emnist-mlp");
        assertThat(bundle.getClassLabelsList()).hasSize(47).startsWith("0", "1", "2");
        assertThat(bundle.getTraining().getEpochsList()).hasSize(5);
        assertThat(bundle.getPreprocessing().getInputShapeList()).containsExactly(28L, 28L);
    }
}
