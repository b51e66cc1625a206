package io.depthlab.trainer.data;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

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

    /** A version 1.0 {@code .npy} file: header padded to 64 bytes as numpy pads it. */
    static byte[] npy(String descr, boolean fortran, String shape, byte[] data) {
        String dict =
                "{'descr': '"
                        + descr
                        + "', 'fortran_order': "
                        + (fortran ? "True" : "False")
                        + ", 'shape': "
                        + shape
                        + ", }";
        int total = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - total % 64) % 64) + "\n";
        ByteBuffer buffer = ByteBuffer.allocate(10 + header.length() + data.length);
        buffer.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        buffer.put((byte) header.length()).put((byte) (header.length() >> 8));
        buffer.put(header.getBytes(StandardCharsets.ISO_8859_1));
        return buffer.put(data).array();
    }

    /** Little-endian bytes of {@code values} as {@code <i8}. */
    static byte[] int64(long... values) {
        ByteBuffer buffer = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long value : values) {
            buffer.putLong(value);
        }
        return buffer.array();
    }

    /** Little-endian bytes of {@code values} as {@code <f4}. */
    static byte[] float32(float... values) {
        ByteBuffer buffer = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            buffer.putFloat(value);
        }
        return buffer.array();
    }

    /** Writes a zip of {@code members} (name to content), deflated, as numpy's savez does. */
    static Path zip(Path file, Map<String, byte[]> members) throws IOException {
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(file))) {
            for (Map.Entry<String, byte[]> member : members.entrySet()) {
                out.putNextEntry(new ZipEntry(member.getKey()));
                out.write(member.getValue());
                out.closeEntry();
            }
        }
        return file;
    }
}
