package io.depthlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.depthlab.dsl.Dense;
import io.depthlab.dsl.Network;
import io.depthlab.dsl.NetworkProtos;
import io.depthlab.dsl.SoftmaxOutput;
import io.depthlab.proto.bundle.ModelBundle;
import io.depthlab.proto.bundle.Preprocessing;
import io.depthlab.proto.bundle.Tensor;
import io.depthlab.trainer.bundle.Bundles;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Collections;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code depthlab predict} against a real server on loopback, serving a hand-made bundle. */
class PredictAgainstServerTest {

    private static final int CLASSES = 5;

    @TempDir static Path dir;

    private static Serving serving;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void serve() throws Exception {
        ServingOptions options = new ServingOptions();
        options.host = "127.0.0.1";
        serving = Serving.start(bundle(), options);
    }

    @AfterAll
    static void stop() {
        serving.close();
    }

    /** 784 pixels -> 5 classes with all-zero weights and biases 0..4: class 4 always wins. */
    private static ModelBundle bundle() {
        Network network =
                Network.sequential("tiny")
                        .input(784)
                        .layer(Dense.units(CLASSES).name("scores"))
                        .layer(SoftmaxOutput.create().withName("output"))
                        .build();
        return ModelBundle.newBuilder()
                .setFormatVersion(Bundles.FORMAT_VERSION)
                .setModelName("tiny")
                .setModelVersion("1")
                .setNetwork(NetworkProtos.toProto(network))
                .addParameters(
                        Tensor.newBuilder()
                                .setName("scores.weight")
                                .addShape(784)
                                .addShape(CLASSES)
                                .addAllValues(Collections.nCopies(784 * CLASSES, 0f)))
                .addParameters(
                        Tensor.newBuilder()
                                .setName("scores.bias")
                                .addShape(CLASSES)
                                .addAllValues(
                                        IntStream.range(0, CLASSES)
                                                .mapToObj(i -> (float) i)
                                                .toList()))
                .setPreprocessing(
                        Preprocessing.newBuilder()
                                .addInputShape(28)
                                .addInputShape(28)
                                .setScale(1f / 255)
                                .addMean(0)
                                .addStd(1))
                .addAllClassLabels(java.util.List.of("a", "b", "c", "d", "e"))
                .build();
    }

    private int predict(String... args) {
        CommandLine commandLine = Depthlab.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 4];
        all[0] = "predict";
        all[1] = "--model";
        all[2] = "tiny";
        all[3] = "--port=" + serving.port();
        System.arraycopy(args, 0, all, 4, args.length);
        return commandLine.execute(all);
    }

    private static Path png(int size) throws Exception {
        Path file = dir.resolve("glyph" + size + ".png");
        ImageIO.write(
                new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY), "png", file.toFile());
        return file;
    }

    @Test
    void predict_28x28Png_printsRankedLabels() throws Exception {
        int status = predict("--image", png(28).toString(), "--top", "2");

        assertThat(status).isZero();
        assertThat(out.toString()).containsPattern("1\\s+4\\s+e\\s+63\\.\\d\\d%");
    }

    @Test
    void predict_32x32Png_refusedBeforeSending() throws Exception {
        Path image = png(32);

        int status = predict("--image", image.toString());

        assertThat(status).isEqualTo(ErrorReporter.FAILED);
        assertThat(err.toString())
                .isEqualTo(
                        "depthlab predict: --image "
                                + image
                                + ": expected an image of [28, 28] = 784 values for model 'tiny',"
                                + " found 1024 values (one per pixel, times three planes for a"
                                + " colour model)\n");
    }

    @Test
    void predict_modelTheServerLacks_namesTheFlag() throws Exception {
        CommandLine commandLine = Depthlab.commandLine();
        commandLine.setErr(new PrintWriter(err, true));

        int status =
                commandLine.execute(
                        "predict", "--port=" + serving.port(), "--image", png(28).toString());

        assertThat(status).isEqualTo(ErrorReporter.FAILED);
        assertThat(err.toString())
                .isEqualTo(
                        "depthlab predict: --model emnist-mlp: unknown model 'emnist-mlp': this"
                                + " server serves only 'tiny'\n");
    }

    @Test
    void predict_topBeyondClasses_namesTheFlag() throws Exception {
        int status = predict("--image", png(28).toString(), "--top", "100");

        assertThat(status).isEqualTo(ErrorReporter.FAILED);
        assertThat(err.toString())
                .isEqualTo(
                        "depthlab predict: --top: expected at most the 5 classes of model 'tiny',"
                                + " found 100\n");
    }

    @Test
    void predict_unknownModel_saysWhatIsServed() throws Exception {
        CommandLine commandLine = Depthlab.commandLine();
        commandLine.setErr(new PrintWriter(err, true));

        int status =
                commandLine.execute(
                        "predict",
                        "--model",
                        "nosuch",
                        "--port=" + serving.port(),
                        "--image",
                        png(28).toString());

        assertThat(status).isEqualTo(ErrorReporter.FAILED);
        assertThat(err.toString()).startsWith("depthlab predict: ").contains("'tiny'");
        assertThat(err.toString().lines()).hasSize(1);
    }
}
