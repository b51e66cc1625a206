package io.depthlab.trainer.data;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST, EMNIST and Fashion-MNIST format), plain or gzipped.
 *
 * <p>An IDX file is a big-endian header, a magic number ({@value #IMAGES_MAGIC} images: count,
 * rows, columns; {@value #LABELS_MAGIC} labels: count) and then the unsigned bytes. Gzip is
 * recognised by its magic bytes {@code 1f 8b}, not by the file name. Every size is checked before
 * the body is allocated, and a short body, trailing bytes or a broken gzip stream is refused with
 * the offset (in the uncompressed stream) where it happened. Bytes after the end of a gzip stream
 * are ignored, as every gzip reader does.
 *
 * <p>Stateless and thread-safe.
 */
public final class IdxReader {

    /** Magic number of an image file: unsigned bytes, 3 dimensions. */
    public static final int IMAGES_MAGIC = 0x00000803;

    /** Magic number of a label file: unsigned bytes, 1 dimension. */
    public static final int LABELS_MAGIC = 0x00000801;

    /** The largest body accepted, in bytes: about the most one Java array can hold. */
    public static final long MAX_BODY_BYTES = Integer.MAX_VALUE - 8;

    // DEFLATE expands data by at most about 1032:1 (a 258-byte match costs at least 2 bits),
    // so a gzip file of n bytes can hold no more than this many times n bytes; a header that
    // claims more is refused before anything is allocated.
    static final long MAX_DEFLATE_RATIO = 1032;

    // A gzipped body is read in growing chunks, so that a forged count in a tiny file costs at
    // most this much memory before the truncation shows.
    private static final int FIRST_CHUNK_BYTES = 1 << 20;

    private static final int GZIP_MAGIC_1 = 0x1f;
    private static final int GZIP_MAGIC_2 = 0x8b;

    private IdxReader() {}

    /**
     * The content of an IDX image file.
     *
     * @param count number of images, at least 1
     * @param rows rows per image, at least 1
     * @param cols columns per image, at least 1
     * @param pixels {@code count * rows * cols} unsigned bytes, image after image, row-major; the
     *     array is not copied
     */
    public record Images(int count, int rows, int cols, byte[] pixels) {

        /** Checks that the pixel array holds {@code count * rows * cols} bytes. */
        public Images {
            Objects.requireNonNull(pixels, "pixels");
            if (pixels.length != (long) count * rows * cols) {
                throw new IllegalArgumentException(
                        String.format(
                                "expected %d pixel bytes for %d images of %dx%d, found %d",
                                (long) count * rows * cols, count, rows, cols, pixels.length));
            }
        }
    }

    /**
     * The content of an IDX label file.
     *
     * @param count number of labels, at least 1
     * @param labels {@code count} unsigned bytes; the array is not copied
     */
    public record Labels(int count, byte[] labels) {

        /** Checks that the label array holds {@code count} bytes. */
        public Labels {
            Objects.requireNonNull(labels, "labels");
            if (labels.length != count) {
                throw new IllegalArgumentException(
                        "expected " + count + " label bytes, found " + labels.length);
            }
        }
    }

    /**
     * Reads an image file (magic {@value #IMAGES_MAGIC}).
     *
     * @throws DatasetException if the file is not a well-formed IDX image file
     * @throws IOException if the file cannot be read
     */
    public static Images readImages(Path file) throws IOException {
        try (IdxInput in = IdxInput.open(file)) {
            in.expectMagic(IMAGES_MAGIC, "an IDX image file");
            int count = in.readDimension("image count");
            int rows = in.readDimension("row count");
            int cols = in.readDimension("column count");
            String what = count + " images of " + rows + "x" + cols;
            byte[] pixels = in.readBody(product(count, rows, cols), what);
            in.expectEnd(what);
            return new Images(count, rows, cols, pixels);
        }
    }

    /**
     * Reads a label file (magic {@value #LABELS_MAGIC}).
     *
     * @throws DatasetException if the file is not a well-formed IDX label file
     * @throws IOException if the file cannot be read
     */
    public static Labels readLabels(Path file) throws IOException {
        try (IdxInput in = IdxInput.open(file)) {
            in.expectMagic(LABELS_MAGIC, "an IDX label file");
            int count = in.readDimension("label count");
            String what = count + " labels";
            byte[] labels = in.readBody(count, what);
            in.expectEnd(what);
            return new Labels(count, labels);
        }
    }

    /**
     * Reads an image file and its label file into a grey {@link ImageSet} (1 channel), keeping the
     * pixels in file order.
     *
     * @param classNames the class names, index = label
     * @throws DatasetException if either file is malformed, the counts differ, or a label is not
     *     below {@code classNames.size()} (naming the label file, the index and the byte offset)
     */
    public static ImageSet readImageSet(Path images, Path labels, List<String> classNames)
            throws IOException {
        Objects.requireNonNull(classNames, "classNames");
        Images imageFile = readImages(images);
        Labels labelFile = readLabels(labels);
        if (imageFile.count() != labelFile.count()) {
            throw new DatasetException(
                    String.format(
                            "%s: expected %d labels, one per image of %s, found %d",
                            labels, imageFile.count(), images.getFileName(), labelFile.count()));
        }
        int[] values = toLabels(labels, labelFile.labels(), classNames.size());
        return ImageSet.of(
                1, imageFile.rows(), imageFile.cols(), imageFile.pixels(), values, classNames);
    }

    /**
     * The product of positive dimensions, or {@code Long.MAX_VALUE} when it overflows (three forged
     * 31-bit dimensions can exceed 63 bits), so the size check refuses it.
     */
    static long product(int... dims) {
        long product = 1;
        for (int dim : dims) {
            if (product > Long.MAX_VALUE / dim) {
                return Long.MAX_VALUE;
            }
            product *= dim;
        }
        return product;
    }

    private static int[] toLabels(Path file, byte[] bytes, int classCount) throws DatasetException {
        // The body starts after the 8-byte header (magic, count).
        int headerBytes = 8;
        int[] values = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            values[i] = Byte.toUnsignedInt(bytes[i]);
            if (values[i] >= classCount) {
                throw DatasetException.atByte(
                        file,
                        headerBytes + i,
                        "label " + i + " below the class count " + classCount,
                        String.valueOf(values[i]));
            }
        }
        return values;
    }

    /** A header-and-body reader that knows its offset in the uncompressed stream. */
    private static final class IdxInput implements Closeable {

        private final Path file;
        private final long fileSize;
        private final boolean gzip;
        private final InputStream in;
        private long offset;

        private IdxInput(Path file, long fileSize, boolean gzip, InputStream in) {
            this.file = file;
            this.fileSize = fileSize;
            this.gzip = gzip;
            this.in = in;
        }

        static IdxInput open(Path file) throws IOException {
            Objects.requireNonNull(file, "file");
            long fileSize = Files.size(file);
            InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
            try {
                raw.mark(2);
                boolean gzip = raw.read() == GZIP_MAGIC_1 && raw.read() == GZIP_MAGIC_2;
                raw.reset();
                if (!gzip) {
                    return new IdxInput(file, fileSize, false, raw);
                }
                return new IdxInput(file, fileSize, true, openGzip(file, raw));
            } catch (IOException | RuntimeException e) {
                raw.close();
                throw e;
            }
        }

        private static InputStream openGzip(Path file, InputStream raw) throws IOException {
            try {
                return new GZIPInputStream(raw, 1 << 16);
            } catch (EOFException | ZipException e) {
                throw DatasetException.inFile(
                        file, "a gzip header", "a broken one (" + e.getMessage() + ")");
            }
        }

        void expectMagic(int magic, String kind) throws IOException {
            int found = readInt("magic number");
            if (found != magic) {
                throw DatasetException.atByte(
                        file,
                        0,
                        String.format("magic 0x%08x (%s)", magic, kind),
                        String.format("0x%08x", found));
            }
        }

        int readDimension(String what) throws IOException {
            long at = offset;
            int value = readInt(what);
            if (value < 1) {
                throw new DatasetException(
                        where(at) + ": expected a positive " + what + ", found " + value);
            }
            return value;
        }

        private int readInt(String what) throws IOException {
            long at = offset;
            byte[] bytes = new byte[4];
            int read = readFully(bytes, 0, 4);
            if (read < 4) {
                throw new DatasetException(
                        where(at)
                                + ": expected the 4-byte "
                                + what
                                + " of the header, found the end of the data after "
                                + read
                                + " bytes (truncated header)");
            }
            return (bytes[0] & 0xff) << 24
                    | (bytes[1] & 0xff) << 16
                    | (bytes[2] & 0xff) << 8
                    | (bytes[3] & 0xff);
        }

        byte[] readBody(long size, String what) throws IOException {
            if (size > MAX_BODY_BYTES) {
                throw new DatasetException(
                        String.format(
                                "%s: expected at most %d bytes of data, found a header asking"
                                        + " for %d (%s)",
                                where(offset), MAX_BODY_BYTES, size, what));
            }
            if (!gzip && size > fileSize - offset) {
                throw new DatasetException(
                        String.format(
                                "%s: expected %d bytes of data for %s, found %d (truncated"
                                        + " file)",
                                where(offset), size, what, fileSize - offset));
            }
            if (gzip && size > fileSize * MAX_DEFLATE_RATIO) {
                throw new DatasetException(
                        String.format(
                                "%s: expected at most %d bytes of data in a gzip file of %d"
                                        + " bytes, found a header asking for %d (%s)",
                                where(offset), fileSize * MAX_DEFLATE_RATIO, fileSize, size, what));
            }
            return gzip ? readGrowing((int) size, what) : readExact((int) size, what);
        }

        private byte[] readExact(int size, String what) throws IOException {
            byte[] body = new byte[size];
            long start = offset;
            int read = readFully(body, 0, size);
            if (read < size) {
                throw truncated(start, size, read, what);
            }
            return body;
        }

        private byte[] readGrowing(int size, String what) throws IOException {
            long start = offset;
            byte[] body = new byte[Math.min(size, FIRST_CHUNK_BYTES)];
            int filled = 0;
            while (true) {
                int read = readFully(body, filled, body.length - filled);
                filled += read;
                if (filled < body.length) {
                    throw truncated(start, size, filled, what);
                }
                if (filled == size) {
                    return body;
                }
                body = Arrays.copyOf(body, (int) Math.min(size, 2L * body.length));
            }
        }

        private DatasetException truncated(long start, int size, int read, String what) {
            return new DatasetException(
                    String.format(
                            "%s: expected %d bytes of data for %s starting at byte %d, found"
                                    + " the end of the data after %d (truncated)",
                            where(start + read), size, what, start, read));
        }

        void expectEnd(String what) throws IOException {
            long at = offset;
            byte[] probe = new byte[1];
            if (readFully(probe, 0, 1) == 0) {
                return;
            }
            String extra =
                    gzip
                            ? "at least 1 more byte"
                            : (fileSize - at) + " more bytes (file of " + fileSize + " bytes)";
            throw new DatasetException(
                    where(at)
                            + ": expected the end of the data after "
                            + what
                            + ", found "
                            + extra
                            + " (trailing data)");
        }

        /** Reads up to {@code length} bytes, fewer only at the end of the data. */
        private int readFully(byte[] buffer, int start, int length) throws IOException {
            int total = 0;
            while (total < length) {
                int read;
                try {
                    read = in.read(buffer, start + total, length - total);
                } catch (EOFException | ZipException e) {
                    throw new DatasetException(
                            where(offset + total)
                                    + ": expected more gzip data, found a broken or truncated"
                                    + " gzip stream ("
                                    + e.getMessage()
                                    + ")",
                            e);
                }
                if (read < 0) {
                    break;
                }
                total += read;
            }
            offset += total;
            return total;
        }

        private String where(long at) {
            return file + (gzip ? " at uncompressed byte " : " at byte ") + at;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
