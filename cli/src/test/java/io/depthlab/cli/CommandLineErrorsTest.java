package io.depthlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bad input on the command line gets one line naming what was expected and found. */
class CommandLineErrorsTest {

    @TempDir Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine commandLine = Depthlab.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void train_zeroEpochs_failsNamingTheFlag() {
        int status = run("train", "--epochs", "0", "--runs", dir.toString());

        assertThat(status).isEqualTo(ErrorReporter.FAILED);
        assertThat(err.toString())
                .isEqualTo("depthlab train: --epochs: expected a positive number, found 0\n");
    }

    @Test
    void train_dropRateOne_failsNamingTheRange() {
        int status = run("train", "--drop-rate", "1", "--runs", dir.toString());

        assertThat(status).isEqualTo(ErrorReporter.FAILED);
        assertThat(err.toString())
                .contains("--drop-rate: expected a probability in [0, 1), found 1.0");
    }

    @Test
    void train_mlpFlagsWithVgg_areRefusedRatherThanIgnored() {
        int status =
                run("train", "--network", "vgg-8", "--drop-rate", "0.5", "--runs", dir.toString());

        assertThat(status).isEqualTo(ErrorReporter.FAILED);
        assertThat(err.toString())
                .isEqualTo(
                        "depthlab train: --drop-rate: applies to --network mlp only, found"
                                + " --network vgg-8\n");
    }

    @Test
    void train_widthWithMlp_isRefused() {
        int status = run("train", "--width", "16", "--runs", dir.toString());

        assertThat(status).isEqualTo(ErrorReporter.FAILED);
        assertThat(err.toString())
                .contains(
                        "--width: applies to --network vgg-DEPTH[-bn][-res] only, found --network"
                                + " mlp");
    }

    @Test
    void train_vggDepthOutsideTheFamily_namesTheFlagBeforeLoadingData() {
        Path missing = dir.resolve("nowhere");

        int status =
                run(
                        "train",
                        "--dataset",
                        "cifar100",
                        "--data",
                        missing.toString(),
                        "--network",
                        "vgg-21",
                        "--runs",
                        dir.toString());

        assertThat(status).isEqualTo(ErrorReporter.FAILED);
        assertThat(err.toString())
                .startsWith("depthlab train: --network vgg-21: VGG depth: expected 6b + 8")
                .contains("found 21");
    }

    @Test
    void train_negativeL2_namesTheFlag() {
        int status = run("train", "--l2", "-1", "--runs", dir.toString());

        assertThat(status).isEqualTo(ErrorReporter.FAILED);
        assertThat(err.toString())
                .isEqualTo("depthlab train: --l2: expected a coefficient >= 0, found -1.0\n");
    }

    /** EMNIST's sample ships with the project: 4 examples leave none for validation at 10 %. */
    @Test
    void train_limitTooSmallForAValidationSet_saysWhatToChange() {
        int status = run("train", "--limit", "4", "--epochs", "1", "--runs", dir.toString());

        assertThat(status).isEqualTo(ErrorReporter.FAILED);
        assertThat(err.toString())
                .isEqualTo(
                        "depthlab train: --valid-fraction 0.1 of 4 training examples: expected at"
                                + " least one example for validation and one for training, found"
                                + " 0 and 4; use more examples (--limit) or another fraction\n");
    }

    @Test
    void train_unknownOptimizer_listsTheValidOnes() {
        int status = run("train", "--optimizer", "lbfgs");

        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).contains("expected sgd, momentum, adam or adamw, found 'lbfgs'");
    }

    @Test
    void train_notANumber_saysWhichOption() {
        int status = run("train", "--epochs", "ten");

        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).contains("--epochs", "'ten'");
    }

    @Test
    void train_missingDataFolder_failsWithoutStackTrace() {
        Path missing = dir.resolve("nowhere");

        int status = run("train", "--data", missing.toString(), "--runs", dir.toString());

        assertThat(status).isEqualTo(ErrorReporter.FAILED);
        assertThat(err.toString())
                .isEqualTo(
                        "depthlab train: --data "
                                + missing
                                + ": expected a folder of EMNIST IDX files, found no folder\n");
    }

    @Test
    void train_corruptImageFile_namesTheFile() throws Exception {
        Path data = Files.createDirectory(dir.resolve("emnist"));
        Files.write(data.resolve("x-train-images-idx3-ubyte"), new byte[] {0, 0, 8, 1, 0, 0});
        Files.write(data.resolve("x-train-labels-idx1-ubyte"), new byte[] {0, 0, 8, 1, 0, 0, 0, 0});
        Files.write(data.resolve("x-test-images-idx3-ubyte"), new byte[] {0, 0, 8, 3});
        Files.write(data.resolve("x-test-labels-idx1-ubyte"), new byte[] {0, 0, 8, 1});
        Files.writeString(data.resolve("x-mapping.txt"), "0 48\n1 49\n");

        int status = run("train", "--data", data.toString(), "--runs", dir.toString());

        assertThat(status).isEqualTo(ErrorReporter.FAILED);
        assertThat(err.toString()).startsWith("depthlab train: ").contains("x-train-images-idx3");
        assertThat(err.toString().lines()).hasSize(1);
    }

    @Test
    void inspect_missingBundle_saysSo() {
        Path missing = dir.resolve("model.dlb");

        int status = run("inspect", missing.toString());

        assertThat(status).isEqualTo(ErrorReporter.FAILED);
        assertThat(err.toString())
                .isEqualTo("depthlab inspect: " + missing + ": no such model bundle file\n");
    }

    @Test
    void inspect_garbageFile_saysItIsNotABundle() throws Exception {
        Path garbage = Files.write(dir.resolve("model.dlb"), new byte[] {(byte) 0xff, 1, 2, 3});

        int status = run("inspect", garbage.toString());

        assertThat(status).isEqualTo(ErrorReporter.FAILED);
        assertThat(err.toString())
                .isEqualTo(
                        "depthlab inspect: "
                                + garbage
                                + ": not a model bundle (corrupt or truncated Protocol Buffers"
                                + " data, 4 bytes): "
                                + "Protocol message tag had invalid wire type.\n");
    }

    @Test
    void predict_portOutOfRange_namesTheFlag() {
        int status = run("predict", "--port", "70000", "--idx", "x", "--index", "0");

        assertThat(status).isEqualTo(ErrorReporter.FAILED);
        assertThat(err.toString())
                .isEqualTo(
                        "depthlab predict: --port: expected a port from 1 to 65535, found"
                                + " 70000\n");
    }

    @Test
    void predict_indexPastTheFile_namesTheRange() throws Exception {
        Path images = dir.resolve("images-idx3-ubyte");
        byte[] file = new byte[16 + 2 * 4];
        file[2] = 8;
        file[3] = 3;
        file[7] = 2;
        file[11] = 2;
        file[15] = 2;
        Files.write(images, file);

        int status = run("predict", "--idx", images.toString(), "--index", "5");

        assertThat(status).isEqualTo(ErrorReporter.FAILED);
        assertThat(err.toString())
                .isEqualTo(
                        "depthlab predict: --index: expected a record from 0 to 1 of "
                                + images
                                + ", found 5\n");
    }

    @Test
    void train_parseError_printsMessageAndHelpHintOnly() {
        int status = run("train", "--epochs", "ten");

        assertThat(status).isEqualTo(ErrorReporter.USAGE);
        assertThat(err.toString().lines())
                .hasSize(2)
                .last()
                .isEqualTo("Try 'depthlab train --help' for the options.");
    }

    @Test
    void train_hugeHiddenLayer_refusedBeforeLoading() {
        int status = run("train", "--hidden-units", "100000000");

        assertThat(status).isEqualTo(ErrorReporter.FAILED);
        assertThat(err.toString())
                .isEqualTo(
                        "depthlab train: --hidden-units: expected a number from 1 to 65536, found"
                                + " 100000000\n");
    }

    @Test
    void train_runsIsAFile_saysSo() throws Exception {
        Path file = Files.writeString(dir.resolve("afile"), "x");

        int status = run("train", "--runs", file.toString());

        assertThat(status).isEqualTo(ErrorReporter.FAILED);
        assertThat(err.toString())
                .isEqualTo(
                        "depthlab train: --runs " + file + ": expected a folder, found a file\n");
    }

    @Test
    void quickstart_portTaken_failsBeforeTraining() throws Exception {
        try (java.net.ServerSocket taken =
                new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();

            int status = run("quickstart", "--exit", "--port", "" + port, "--runs", dir.toString());

            assertThat(status).isEqualTo(ErrorReporter.FAILED);
            assertThat(err.toString())
                    .isEqualTo(
                            String.format(
                                    "depthlab quickstart: --port %d: cannot listen on"
                                            + " 127.0.0.1:%d: the port is already in use; choose"
                                            + " another port, or 0 for any free one%n",
                                    port, port));
            assertThat(dir).isEmptyDirectory();
        }
    }

    /** 192.0.2.1 is a documentation address (RFC 5737): binding fails locally, nothing is sent. */
    @Test
    void serve_hostNotOfThisMachine_blamesTheHostNotThePort() {
        Path bundle = dir.resolve("model.dlb");

        int status =
                run(
                        "serve",
                        "--bundle",
                        bundle.toString(),
                        "--host",
                        "192.0.2.1",
                        "--port",
                        "18641");

        assertThat(status).isEqualTo(ErrorReporter.FAILED);
        assertThat(err.toString())
                .isEqualTo(
                        "depthlab serve: --host 192.0.2.1: cannot listen on 192.0.2.1:18641:"
                                + " the address is not one of this machine's; use 127.0.0.1,"
                                + " 0.0.0.0 (every interface) or one of its own addresses\n");
    }

    @Test
    void predict_nothingListening_saysWhichPortToGive() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Path image = dir.resolve("image.idx");

        int status =
                run(
                        "predict",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        String.valueOf(port),
                        "--image",
                        image.toString());

        assertThat(status).isEqualTo(ErrorReporter.FAILED);
        assertThat(err.toString())
                .isEqualTo(
                        "depthlab predict: no ready server at 127.0.0.1:"
                                + port
                                + " (waited 3 s); start one with ./depthlab serve --bundle FILE,"
                                + " or give --port the server's gRPC port (serve's --port, not its"
                                + " --metrics-port)\n");
    }

    @Test
    void quickstart_samePortTwice_refused() {
        int status = run("quickstart", "--port", "9001", "--metrics-port", "9001");

        assertThat(status).isEqualTo(ErrorReporter.FAILED);
        assertThat(err.toString())
                .contains("--port and --metrics-port: expected two different ports, found 9001");
    }

    @Test
    void dataFetch_unknownDataset_namesTheKnownOnes() {
        int status = run("data", "fetch", "imagenet", dir.toString());

        assertThat(status).isEqualTo(ErrorReporter.FAILED);
        assertThat(err.toString()).startsWith("depthlab data fetch: ").contains("imagenet");
    }

    @Test
    void data_withoutSubcommand_isAUsageError() {
        int status = run("data");

        assertThat(status).isEqualTo(ErrorReporter.USAGE);
        assertThat(err.toString()).contains("expected a subcommand, e.g. depthlab data fetch");
    }

    @Test
    void predict_noImage_saysWhatIsMissingOnce() {
        int status = run("predict");

        assertThat(status).isEqualTo(ErrorReporter.USAGE);
        assertThat(err.toString())
                .startsWith("depthlab predict: Missing required argument")
                .doesNotContain("Error:");
    }

    @Test
    void noCommand_printsUsageHint() {
        int status = run();

        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).contains("expected a command, e.g. depthlab quickstart");
    }
}
