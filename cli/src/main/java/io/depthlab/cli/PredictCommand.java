package io.depthlab.cli;

import io.depthlab.proto.inference.ModelMetadataResponse;
import io.depthlab.server.InferenceClient;
import io.depthlab.server.InferenceClientException;
import io.depthlab.trainer.data.Emnist;
import io.depthlab.trainer.data.IdxReader;
import io.grpc.Status;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code depthlab predict}: sends one image through a running server. */
@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        description = {
            "Send one image to a running depthlab (or any Open Inference Protocol) server and"
                    + " print the most probable classes.",
            "The image is a record of an IDX file (as stored: EMNIST's are transposed) or a PNG"
                    + " of the model's input size, sent as 8-bit pixels: grey for a model of grey"
                    + " images (EMNIST), red, green and blue planes for one of colour images"
                    + " (CIFAR)."
        })
final class PredictCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(
            names = "--host",
            defaultValue = "127.0.0.1",
            description = "Server address (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(
            names = "--port",
            defaultValue = "" + ServingOptions.DEFAULT_PORT,
            description = "Server gRPC port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--model",
            defaultValue = "emnist-mlp",
            description = "Model name (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(
            names = "--top",
            defaultValue = "5",
            description = "How many classes to print (default: ${DEFAULT-VALUE}).")
    int top;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @ArgGroup(exclusive = false)
        IdxRecord idx;

        @ArgGroup(exclusive = false)
        Png png;
    }

    static final class IdxRecord {
        @Option(
                names = "--idx",
                required = true,
                paramLabel = "FILE",
                description = "An IDX image file (gzipped or not).")
        Path file;

        @Option(
                names = "--index",
                required = true,
                paramLabel = "N",
                description = "The record to send, from 0.")
        int index;
    }

    static final class Png {
        @Option(
                names = "--image",
                required = true,
                paramLabel = "FILE",
                description =
                        "A PNG (or JPEG, BMP, GIF) image; colour becomes grey for a grey"
                                + " model, grey becomes three equal planes for a colour one.")
        Path file;

        @Option(
                names = "--upright",
                description =
                        "The image shows the glyph upright: transpose it to EMNIST's stored"
                                + " order.")
        boolean upright;

        @Option(
                names = "--invert",
                description = "Dark ink on a light background: invert to EMNIST's light on dark.")
        boolean invert;
    }

    /** How long to wait for a server to report ready. */
    private static final Duration READY_WAIT = Duration.ofSeconds(3);

    @Override
    public Integer call() throws Exception {
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException(
                    "--port: expected a port from 1 to 65535, found " + port);
        }
        if (top < 1) {
            throw new IllegalArgumentException("--top: expected at least 1, found " + top);
        }
        if (source.idx != null) {
            // A bad file or index is reported before any connection is tried.
            readIdx(source.idx);
        }
        try (InferenceClient client = InferenceClient.connect(host, port)) {
            if (!client.waitUntilReady(READY_WAIT)) {
                throw new IOException(
                        String.format(
                                "no ready server at %s:%d (waited %d s); start one with"
                                        + " ./depthlab serve --bundle FILE, or give --port the"
                                        + " server's gRPC port (serve's --port, not its"
                                        + " --metrics-port)",
                                host, port, READY_WAIT.toSeconds()));
            }
            ModelMetadataResponse metadata = metadata(client);
            byte[] pixels =
                    source.idx != null
                            ? readIdx(source.idx)
                            : readImage(source.png, colourModel(metadata));
            checkSize(metadata, pixels.length);
            checkTop(metadata);
            print(client.topClasses(model, pixels, top));
        }
        return 0;
    }

    /** The model's metadata; an unknown model names the flag that chose it. */
    private ModelMetadataResponse metadata(InferenceClient client) {
        try {
            return client.modelMetadata(model);
        } catch (InferenceClientException e) {
            if (e.code() != Status.Code.NOT_FOUND) {
                throw e;
            }
            throw new IllegalArgumentException("--model " + model + ": " + e.getMessage(), e);
        }
    }

    /** Refuses an image the model cannot take before sending it, e.g. a 32x32 PNG for EMNIST. */
    private void checkSize(ModelMetadataResponse metadata, int pixels) {
        if (metadata.getInputsCount() == 0) {
            return;
        }
        List<Long> shape = metadata.getInputs(0).getShapeList();
        long expected = 1;
        for (long dim : shape.subList(1, shape.size())) {
            expected *= dim;
        }
        if (expected > 0 && expected != pixels) {
            String source =
                    this.source.idx != null
                            ? "--idx " + this.source.idx.file
                            : "--image " + this.source.png.file;
            throw new IllegalArgumentException(
                    String.format(
                            "%s: expected an image of %s = %d values for model '%s', found %d"
                                    + " values (one per pixel, times three planes for a colour"
                                    + " model)",
                            source, shape.subList(1, shape.size()), expected, model, pixels));
        }
    }

    /** Refuses {@code --top} beyond the model's class count, naming the flag. */
    private void checkTop(ModelMetadataResponse metadata) {
        if (metadata.getOutputsCount() == 0) {
            return;
        }
        List<Long> shape = metadata.getOutputs(0).getShapeList();
        long classes = shape.get(shape.size() - 1);
        if (classes > 0 && top > classes) {
            throw new IllegalArgumentException(
                    String.format(
                            "--top: expected at most the %d classes of model '%s', found %d",
                            classes, model, top));
        }
    }

    private void print(List<InferenceClient.RankedClass> ranked) {
        PrintWriter out = spec.commandLine().getOut();
        // CIFAR-100's labels run to 13 characters ("sweet_pepper"), EMNIST's to one.
        int width = 8;
        for (InferenceClient.RankedClass c : ranked) {
            width = Math.max(width, c.label().length());
        }
        String row = "%4d  %6d  %-" + width + "s  %10.2f%%%n";
        out.printf("%4s  %6s  %-" + width + "s  %11s%n", "rank", "class", "label", "probability");
        for (int i = 0; i < ranked.size(); i++) {
            InferenceClient.RankedClass c = ranked.get(i);
            out.printf(row, i + 1, c.index(), c.label(), 100 * c.probability());
        }
        out.flush();
    }

    private static byte[] readIdx(IdxRecord record) throws IOException {
        IdxReader.Images images = IdxReader.readImages(record.file);
        if (record.index < 0 || record.index >= images.count()) {
            throw new IllegalArgumentException(
                    String.format(
                            "--index: expected a record from 0 to %d of %s, found %d",
                            images.count() - 1, record.file, record.index));
        }
        int size = images.rows() * images.cols();
        byte[] pixels = new byte[size];
        System.arraycopy(images.pixels(), record.index * size, pixels, 0, size);
        return pixels;
    }

    /** Whether the model takes three-channel images ({@code [batch, 3, height, width]}). */
    private static boolean colourModel(ModelMetadataResponse metadata) {
        if (metadata.getInputsCount() == 0) {
            return false;
        }
        List<Long> shape = metadata.getInputs(0).getShapeList();
        return shape.size() == 4 && shape.get(1) == 3;
    }

    private static byte[] readImage(Png png, boolean colour) throws IOException {
        if (Files.isDirectory(png.file)) {
            throw new IOException(
                    "--image " + png.file + ": expected an image file, found a folder");
        }
        if (!Files.isRegularFile(png.file)) {
            throw new IOException("--image " + png.file + ": no such file");
        }
        BufferedImage image;
        try {
            image = ImageIO.read(png.file.toFile());
        } catch (IOException e) {
            throw new IOException(
                    "--image " + png.file + ": cannot decode the image: " + e.getMessage(), e);
        }
        if (image == null) {
            throw new IOException(
                    "--image "
                            + png.file
                            + ": expected a PNG, JPEG, BMP or GIF image, found"
                            + " another format");
        }
        if (colour) {
            if (png.upright) {
                throw new IllegalArgumentException(
                        "--upright: applies to grey EMNIST models only, found a model of RGB"
                                + " images");
            }
            return rgbPlanes(image, png.invert);
        }
        byte[] pixels = grey(image, png.invert);
        return png.upright ? Emnist.transpose(pixels, image.getHeight(), image.getWidth()) : pixels;
    }

    /**
     * 8-bit red, green and blue planes, each row-major, as CIFAR stores images and the model's
     * {@code [3, height, width]} input reads them.
     */
    static byte[] rgbPlanes(BufferedImage image, boolean invert) {
        int width = image.getWidth();
        int height = image.getHeight();
        int plane = width * height;
        byte[] pixels = new byte[3 * plane];
        boolean grey = isGrey(image);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int rgb = image.getRGB(x, y);
                for (int c = 0; c < 3; c++) {
                    // A grey image gives its stored value to all three planes.
                    int value = grey ? storedGrey(image, x, y) : (rgb >> (16 - 8 * c)) & 0xff;
                    pixels[c * plane + y * width + x] = (byte) (invert ? 255 - value : value);
                }
            }
        }
        return pixels;
    }

    /**
     * 8-bit grey values, row-major. A grey image's samples are taken as stored ({@link
     * #storedGrey}). Colour images become their luma.
     */
    static byte[] grey(BufferedImage image, boolean invert) {
        int width = image.getWidth();
        int height = image.getHeight();
        boolean stored = isGrey(image);
        byte[] pixels = new byte[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int value = stored ? storedGrey(image, x, y) : luma(image.getRGB(x, y));
                pixels[y * width + x] = (byte) (invert ? 255 - value : value);
            }
        }
        return pixels;
    }

    private static boolean isGrey(BufferedImage image) {
        return image.getType() == BufferedImage.TYPE_BYTE_GRAY
                || image.getType() == BufferedImage.TYPE_USHORT_GRAY;
    }

    /**
     * A grey image's value at (x, y) as stored, scaled to 8 bits: {@code getRGB} would pass it
     * through a gamma conversion and change it (269 of 784 pixels of an EMNIST glyph).
     */
    private static int storedGrey(BufferedImage image, int x, int y) {
        int sample = image.getRaster().getSample(x, y, 0);
        return image.getType() == BufferedImage.TYPE_USHORT_GRAY ? sample >>> 8 : sample;
    }

    private static int luma(int rgb) {
        return (299 * ((rgb >> 16) & 0xff) + 587 * ((rgb >> 8) & 0xff) + 114 * (rgb & 0xff)) / 1000;
    }
}
