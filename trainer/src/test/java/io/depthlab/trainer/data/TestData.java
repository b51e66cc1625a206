package io.depthlab.trainer.data;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/** Builders of small test inputs and access to the shared real data. */
final class TestData {

    private TestData() {}

    /**
     * A file or folder under the shared real data; skips the test when the system property {@code
     * depthlab.shared.data} is unset or the path is missing.
     */
    static Path shared(String relative) {
        String root = System.getProperty("depthlab.shared.data");
        assumeTrue(root != null, "system property depthlab.shared.data is not set: skipping");
        Path path = Path.of(root, relative);
        assumeTrue(Files.exists(path), path + " is missing: skipping");
        return path;
    }

    /** A test resource under {@code /data/}. */
    static Path resource(String relative) {
        try {
            return Path.of(TestData.class.getResource("/data/" + relative).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** A big-endian IDX header followed by {@code body}. */
    static byte[] idx(int magic, int[] dims, byte[] body) {
        ByteBuffer buffer = ByteBuffer.allocate(4 + 4 * dims.length + body.length);
        buffer.putInt(magic);
        for (int dim : dims) {
            buffer.putInt(dim);
        }
        return buffer.put(body).array();
    }

    static byte[] idxImages(int count, int rows, int cols, byte[] pixels) {
        return idx(IdxReader.IMAGES_MAGIC, new int[] {count, rows, cols}, pixels);
    }

    static byte[] idxLabels(byte... labels) {
        return idx(IdxReader.LABELS_MAGIC, new int[] {labels.length}, labels);
    }

    /** Bytes {@code (start + i) % 256} for i in {@code [0, length)}. */
    static byte[] ramp(int length, int start) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (start + i);
        }
        return bytes;
    }

    static List<String> names(int count) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add("class" + i);
        }
        return names;
    }

    /**
     * A set of {@code count} images (at most 256) whose first pixel is the example index, so a
     * batch tells which examples it holds; label = index % classes.
     */
    static ImageSet numbered(int count, int channels, int height, int width, int classes) {
        int size = channels * height * width;
        byte[] pixels = new byte[count * size];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            byte[] image = ramp(size, 31 * i);
            image[0] = (byte) i;
            System.arraycopy(image, 0, pixels, i * size, size);
            labels[i] = i % classes;
        }
        return ImageSet.of(channels, height, width, pixels, labels, names(classes));
    }
}
