package io.depthlab.trainer.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads numpy {@code .npy} files and {@code .npz} archives (a zip of {@code .npy} members, stored
 * or deflated) without numpy.
 *
 * <p>The {@code .npy} header is a Python dict literal with {@code descr}, {@code fortran_order} and
 * {@code shape}; it is parsed here, never evaluated. Supported dtypes are those of {@link
 * NumpyArray.DType}; big-endian, object, string and other dtypes are refused, and so is Fortran
 * order for arrays of more than one dimension. Sizes are checked against the data actually present,
 * reading in growing chunks, so a forged shape cannot make the reader allocate more than about
 * twice the real data. Stateless and thread-safe.
 */
public final class NpyReader {

    /** The longest {@code .npy} header accepted, in bytes; numpy writes well under 1 KiB. */
    public static final int MAX_HEADER_BYTES = 1 << 16;

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int FIRST_CHUNK_BYTES = 1 << 20;

    private NpyReader() {}

    /**
     * Reads one {@code .npy} file.
     *
     * @throws DatasetException if the file is malformed, truncated, has trailing bytes or an
     *     unsupported dtype
     */
    public static NumpyArray readNpy(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return read(in, file.toString());
        }
    }

    /**
     * Reads every {@code .npy} member of an {@code .npz} archive.
     *
     * @return the arrays by member name without the {@code .npy} suffix (as numpy's {@code np.load}
     *     names them), in archive order; unmodifiable
     * @throws DatasetException if the archive or a member is malformed
     */
    public static Map<String, NumpyArray> readNpz(Path file) throws IOException {
        Map<String, NumpyArray> arrays = new LinkedHashMap<>();
        try (ZipFile zip = openZip(file)) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                if (entry.isDirectory() || !entry.getName().endsWith(".npy")) {
                    continue;
                }
                String key = entry.getName().substring(0, entry.getName().length() - 4);
                try (InputStream in = new BufferedInputStream(zip.getInputStream(entry))) {
                    arrays.put(key, read(in, file + "!" + entry.getName()));
                } catch (ZipException e) {
                    throw new DatasetException(
                            file
                                    + "!"
                                    + entry.getName()
                                    + ": expected a readable zip member,"
                                    + " found a broken one ("
                                    + e.getMessage()
                                    + ")",
                            e);
                }
            }
        }
        return Collections.unmodifiableMap(arrays);
    }

    private static ZipFile openZip(Path file) throws IOException {
        try {
            return new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw DatasetException.inFile(
                    file, "an npz (zip) archive", "something else (" + e.getMessage() + ")");
        }
    }

    /**
     * Reads one {@code .npy} stream to its end.
     *
     * @param source names the stream in error messages
     */
    static NumpyArray read(InputStream in, String source) throws IOException {
        Objects.requireNonNull(in, "in");
        byte[] magic = in.readNBytes(8);
        if (magic.length < 8 || !Arrays.equals(Arrays.copyOf(magic, 6), MAGIC)) {
            throw new DatasetException(
                    source
                            + " at byte 0: expected the .npy magic \\x93NUMPY, found "
                            + describe(magic));
        }
        int major = magic[6];
        long headerLength = readHeaderLength(in, major, source);
        long dataStart = 8 + (major == 1 ? 2 : 4) + headerLength;
        byte[] headerBytes = in.readNBytes((int) headerLength);
        if (headerBytes.length < headerLength) {
            throw new DatasetException(
                    String.format(
                            "%s at byte %d: expected a header of %d bytes, found the end of the"
                                    + " file after %d (truncated)",
                            source, dataStart - headerLength, headerLength, headerBytes.length));
        }
        String header =
                new String(
                        headerBytes,
                        major >= 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Header parsed = Header.parse(header, source);
        int size = Math.multiplyExact((int) parsed.elements, parsed.dtype.itemSize());
        byte[] data = readBody(in, size, dataStart, source);
        if (in.read() >= 0) {
            throw new DatasetException(
                    String.format(
                            "%s at byte %d: expected the end of the array data, found more"
                                    + " bytes (trailing data)",
                            source, dataStart + size));
        }
        return NumpyArray.of(parsed.dtype, parsed.shape, data);
    }

    private static long readHeaderLength(InputStream in, int major, String source)
            throws IOException {
        if (major < 1 || major > 3) {
            throw new DatasetException(
                    source + " at byte 6: expected .npy format version 1, 2 or 3, found " + major);
        }
        int width = major == 1 ? 2 : 4;
        byte[] bytes = in.readNBytes(width);
        if (bytes.length < width) {
            throw new DatasetException(
                    source
                            + " at byte 8: expected the header length, found the end of the"
                            + " file (truncated)");
        }
        long length = 0;
        for (int i = width - 1; i >= 0; i--) {
            length = length << 8 | (bytes[i] & 0xff);
        }
        if (length > MAX_HEADER_BYTES) {
            throw new DatasetException(
                    source
                            + " at byte 8: expected a header of at most "
                            + MAX_HEADER_BYTES
                            + " bytes, found a length of "
                            + length);
        }
        return length;
    }

    private static byte[] readBody(InputStream in, int size, long start, String source)
            throws IOException {
        byte[] body = new byte[Math.min(size, FIRST_CHUNK_BYTES)];
        int filled = 0;
        while (true) {
            int read = in.readNBytes(body, filled, body.length - filled);
            filled += read;
            if (filled < body.length) {
                throw new DatasetException(
                        String.format(
                                "%s at byte %d: expected %d bytes of array data starting at"
                                        + " byte %d, found the end of the data after %d"
                                        + " (truncated)",
                                source, start + filled, size, start, filled));
            }
            if (filled == size) {
                return body;
            }
            body = Arrays.copyOf(body, (int) Math.min(size, 2L * body.length));
        }
    }

    private static String describe(byte[] bytes) {
        StringBuilder text = new StringBuilder();
        for (byte b : bytes) {
            text.append(String.format("%02x ", b & 0xff));
        }
        return bytes.length == 0 ? "an empty file" : "bytes " + text.toString().trim();
    }

    /** The parsed {@code .npy} header: a tiny reader for the dict literal numpy writes. */
    private static final class Header {

        private final String text;
        private final String source;
        private int pos;
        NumpyArray.DType dtype;
        int[] shape;
        long elements;

        private Header(String text, String source) {
            this.text = text;
            this.source = source;
        }

        static Header parse(String text, String source) throws DatasetException {
            Header header = new Header(text, source);
            Map<String, Object> dict = header.readDict();
            header.interpret(dict);
            return header;
        }

        private void interpret(Map<String, Object> dict) throws DatasetException {
            if (!dict.keySet().equals(java.util.Set.of("descr", "fortran_order", "shape"))) {
                throw error("the keys descr, fortran_order and shape", "keys " + dict.keySet());
            }
            if (!(dict.get("descr") instanceof String descr)) {
                throw error("descr as a string", String.valueOf(dict.get("descr")));
            }
            dtype = NumpyArray.DType.fromDescr(descr);
            if (dtype == null) {
                throw error("dtype " + NumpyArray.DType.supported(), "'" + descr + "'");
            }
            if (!(dict.get("shape") instanceof List<?> dims)) {
                throw error("shape as a tuple", String.valueOf(dict.get("shape")));
            }
            shape = new int[dims.size()];
            for (int i = 0; i < shape.length; i++) {
                long dim = (Long) dims.get(i);
                if (dim < 0 || dim > Integer.MAX_VALUE) {
                    throw error("non-negative dimensions", "shape " + dims);
                }
                shape[i] = (int) dim;
            }
            elements = NumpyArray.elementCount(shape);
            if (elements < 0 || elements * dtype.itemSize() > IdxReader.MAX_BODY_BYTES) {
                throw error(
                        "at most " + IdxReader.MAX_BODY_BYTES + " bytes of data",
                        "shape " + dims + " of " + descr);
            }
            if (Boolean.TRUE.equals(dict.get("fortran_order")) && shape.length > 1) {
                throw error(
                        "fortran_order False (C order) for a " + shape.length + "-d array",
                        "True; save the array with np.ascontiguousarray first");
            }
        }

        private Map<String, Object> readDict() throws DatasetException {
            expect('{');
            Map<String, Object> dict = new LinkedHashMap<>();
            while (true) {
                skipSpace();
                if (peek() == '}') {
                    pos++;
                    return dict;
                }
                if (!(readValue() instanceof String key)) {
                    throw error("a string key", "another value");
                }
                expect(':');
                dict.put(key, readValue());
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else if (peek() != '}') {
                    throw error("',' or '}'", quoted(peek()));
                }
            }
        }

        private Object readValue() throws DatasetException {
            skipSpace();
            char c = peek();
            if (c == '\'' || c == '"') {
                int end = text.indexOf(c, pos + 1);
                if (end < 0) {
                    throw error("a closing quote", "the end of the header");
                }
                String value = text.substring(pos + 1, end);
                pos = end + 1;
                return value;
            }
            if (c == '(') {
                pos++;
                List<Long> items = new ArrayList<>();
                while (true) {
                    skipSpace();
                    if (peek() == ')') {
                        pos++;
                        return items;
                    }
                    items.add(readInteger());
                    skipSpace();
                    if (peek() == ',') {
                        pos++;
                    } else if (peek() != ')') {
                        throw error("',' or ')' in the shape", quoted(peek()));
                    }
                }
            }
            if (text.startsWith("True", pos)) {
                pos += 4;
                return Boolean.TRUE;
            }
            if (text.startsWith("False", pos)) {
                pos += 5;
                return Boolean.FALSE;
            }
            return readInteger();
        }

        private long readInteger() throws DatasetException {
            int start = pos;
            while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                pos++;
            }
            // A trailing L comes from Python 2 longs, e.g. (60000L, 784L).
            String digits = text.substring(start, pos);
            if (pos < text.length() && text.charAt(pos) == 'L') {
                pos++;
            }
            if (digits.isEmpty() || digits.length() > 18) {
                throw error("a non-negative integer", quoted(peekAt(start)));
            }
            return Long.parseLong(digits);
        }

        private void expect(char c) throws DatasetException {
            skipSpace();
            if (peek() != c) {
                throw error("'" + c + "'", quoted(peek()));
            }
            pos++;
        }

        private void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private char peek() {
            return peekAt(pos);
        }

        private char peekAt(int at) {
            return at < text.length() ? text.charAt(at) : '\0';
        }

        private static String quoted(char c) {
            return c == '\0' ? "the end of the header" : "'" + c + "'";
        }

        private DatasetException error(String expected, String found) {
            return new DatasetException(
                    source
                            + ", .npy header at character "
                            + pos
                            + ": expected "
                            + expected
                            + ", found "
                            + found);
        }
    }
}
