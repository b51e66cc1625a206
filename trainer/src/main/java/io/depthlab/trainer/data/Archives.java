package io.depthlab.trainer.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Extracts chosen members of zip and gzipped tar archives, and nothing else.
 *
 * <p>Every member name in the archive is checked first: an absolute name, a {@code ..} segment, a
 * backslash, a drive letter or a NUL makes the whole archive refused, since only a crafted archive
 * has them. The wanted members are written to targets chosen by the caller, each through a
 * temporary file and an atomic rename, so an interrupted extraction never leaves a half-written
 * file under its final name. A target that already exists with the member's size is kept. Stateless
 * and thread-safe.
 */
final class Archives {

    private static final int TAR_BLOCK = 512;

    private Archives() {}

    /**
     * Extracts {@code members} (archive name to target file) from a zip archive.
     *
     * @throws DatasetException if the archive is broken, has an unsafe member name, or lacks a
     *     wanted member
     */
    static void extractZip(Path zip, Map<String, Path> members) throws IOException {
        Set<String> missing = new TreeSet<>(members.keySet());
        try (ZipFile file = new ZipFile(zip.toFile())) {
            Enumeration<? extends ZipEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                checkSafeName(zip, entries.nextElement().getName());
            }
            for (Map.Entry<String, Path> member : members.entrySet()) {
                ZipEntry entry = file.getEntry(member.getKey());
                if (entry == null || entry.isDirectory()) {
                    continue;
                }
                missing.remove(member.getKey());
                try (InputStream in = file.getInputStream(entry)) {
                    write(in, entry.getSize(), member.getValue());
                }
            }
        } catch (ZipException e) {
            throw new DatasetException(
                    zip
                            + ": expected a readable zip archive, found a broken one ("
                            + e.getMessage()
                            + ")",
                    e);
        }
        checkNoneMissing(zip, missing);
    }

    /**
     * Extracts {@code members} (archive name to target file) from a gzipped tar archive (ustar,
     * with GNU long names and pax paths).
     *
     * @throws DatasetException if the archive is broken or truncated, has an unsafe member name,
     *     has a wanted member that is not a regular file, or lacks a wanted member
     */
    static void extractTarGz(Path tarGz, Map<String, Path> members) throws IOException {
        Set<String> missing = new TreeSet<>(members.keySet());
        Set<String> seen = new HashSet<>();
        try (InputStream in =
                new GZIPInputStream(
                        new BufferedInputStream(Files.newInputStream(tarGz)), 1 << 16)) {
            TarReader tar = new TarReader(tarGz, in);
            for (TarEntry entry = tar.next(); entry != null; entry = tar.next()) {
                checkSafeName(tarGz, entry.name);
                Path target = members.get(entry.name);
                if (target == null || !seen.add(entry.name)) {
                    tar.skip(entry);
                    continue;
                }
                if (entry.type != '0' && entry.type != '\0') {
                    throw new DatasetException(
                            String.format(
                                    "%s, member '%s': expected a regular file, found tar type"
                                            + " '%c' (a link or a special file)",
                                    tarGz, entry.name, entry.type));
                }
                missing.remove(entry.name);
                write(tar.content(entry), entry.size, target);
                tar.skipPadding(entry);
            }
        } catch (ZipException e) {
            throw new DatasetException(
                    tarGz
                            + ": expected a gzipped tar archive, found broken gzip data ("
                            + e.getMessage()
                            + ")",
                    e);
        }
        checkNoneMissing(tarGz, missing);
    }

    /**
     * Refuses member names that could leave the extraction folder.
     *
     * @throws DatasetException naming the archive and the member
     */
    static void checkSafeName(Path archive, String name) throws DatasetException {
        boolean unsafe =
                name.isEmpty()
                        || name.startsWith("/")
                        || name.indexOf('\\') >= 0
                        || name.indexOf('\0') >= 0
                        || (name.length() > 1 && name.charAt(1) == ':');
        for (String segment : name.split("/")) {
            unsafe |= segment.equals("..");
        }
        if (unsafe) {
            throw new DatasetException(
                    archive
                            + ": expected member names inside the archive folder, found '"
                            + name.replace('\0', '?')
                            + "' (absolute or with '..'; refused as path traversal)");
        }
    }

    private static void checkNoneMissing(Path archive, Set<String> missing)
            throws DatasetException {
        if (!missing.isEmpty()) {
            throw DatasetException.inFile(
                    archive, "the members " + missing, "them missing from the archive");
        }
    }

    /** Writes {@code size} bytes (or all, if -1) of {@code in} to {@code target} atomically. */
    private static void write(InputStream in, long size, Path target) throws IOException {
        if (size >= 0 && Files.isRegularFile(target) && Files.size(target) == size) {
            return;
        }
        Files.createDirectories(target.toAbsolutePath().getParent());
        Path temporary = target.resolveSibling(target.getFileName() + ".part");
        try {
            long written;
            try (OutputStream out = Files.newOutputStream(temporary)) {
                written = in.transferTo(out);
            }
            if (size >= 0 && written != size) {
                throw new DatasetException(
                        target
                                + ": expected "
                                + size
                                + " bytes from the archive, found "
                                + written);
            }
            move(temporary, target);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    static void move(Path source, Path target) throws IOException {
        try {
            Files.move(
                    source,
                    target,
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // A few network file systems cannot rename atomically; a plain replace still never
            // exposes a partial file under the final name, since the data is complete here.
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** One tar member header. */
    private record TarEntry(String name, char type, long size) {}

    /** A forward-only reader of tar headers and member content. */
    private static final class TarReader {
        private final Path file;
        private final InputStream in;
        private long offset;

        TarReader(Path file, InputStream in) {
            this.file = file;
            this.in = in;
        }

        /** The next member, or null at the end of the archive. */
        TarEntry next() throws IOException {
            String longName = null;
            while (true) {
                long at = offset;
                byte[] header = readBlock();
                if (header == null || isZero(header)) {
                    return null;
                }
                checkChecksum(header, at);
                String name = field(header, 0, 100);
                String prefix = field(header, 345, 155);
                if (!prefix.isEmpty() && "ustar".equals(field(header, 257, 5))) {
                    name = prefix + "/" + name;
                }
                char type = (char) header[156];
                long size = number(header, 124, 12, at);
                TarEntry entry = new TarEntry(longName != null ? longName : name, type, size);
                if (type == 'L' || type == 'x') {
                    // GNU long name or pax header: the content names the next member.
                    String content = readSmall(entry, at);
                    String path = type == 'L' ? trimNul(content) : paxPath(content);
                    longName = path != null ? path : longName;
                } else if (type == 'g') {
                    skip(entry);
                } else {
                    return entry;
                }
            }
        }

        InputStream content(TarEntry entry) {
            return new InputStream() {
                private long left = entry.size;

                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] buffer, int start, int length) throws IOException {
                    if (left == 0) {
                        return -1;
                    }
                    int read = in.read(buffer, start, (int) Math.min(length, left));
                    if (read < 0) {
                        throw truncated(entry);
                    }
                    left -= read;
                    offset += read;
                    return read;
                }
            };
        }

        void skip(TarEntry entry) throws IOException {
            long padded = padded(entry.size);
            try {
                in.skipNBytes(padded);
            } catch (EOFException e) {
                throw truncated(entry);
            }
            offset += padded;
        }

        void skipPadding(TarEntry entry) throws IOException {
            long padding = padded(entry.size) - entry.size;
            in.skipNBytes(padding);
            offset += padding;
        }

        private String readSmall(TarEntry entry, long at) throws IOException {
            if (entry.size > 1 << 20) {
                throw DatasetException.atByte(
                        file, at, "an extended header under 1 MiB", entry.size + " bytes");
            }
            byte[] content = in.readNBytes((int) entry.size);
            if (content.length < entry.size) {
                throw truncated(entry);
            }
            offset += content.length;
            skipPadding(entry);
            return new String(content, StandardCharsets.UTF_8);
        }

        private static String paxPath(String records) {
            for (String record : records.split("\n")) {
                int space = record.indexOf(' ');
                if (space > 0 && record.startsWith("path=", space + 1)) {
                    return record.substring(space + 6);
                }
            }
            return null;
        }

        private DatasetException truncated(TarEntry entry) {
            return DatasetException.atByte(
                    file,
                    offset,
                    entry.size + " bytes of member '" + entry.name + "'",
                    "the end of the archive (truncated)");
        }

        private byte[] readBlock() throws IOException {
            byte[] block = in.readNBytes(TAR_BLOCK);
            if (block.length == 0) {
                return null;
            }
            if (block.length < TAR_BLOCK) {
                throw DatasetException.atByte(
                        file,
                        offset,
                        "a 512-byte tar header (uncompressed offset)",
                        block.length + " bytes (truncated)");
            }
            offset += TAR_BLOCK;
            return block;
        }

        private void checkChecksum(byte[] header, long at) throws DatasetException {
            long stored = number(header, 148, 8, at);
            long sum = 0;
            for (int i = 0; i < TAR_BLOCK; i++) {
                // The checksum field itself counts as eight spaces.
                sum += i >= 148 && i < 156 ? ' ' : header[i] & 0xff;
            }
            if (sum != stored) {
                throw DatasetException.atByte(
                        file,
                        at,
                        "a tar header with checksum " + stored + " (uncompressed offset)",
                        "checksum " + sum + " (corrupt archive)");
            }
        }

        private long number(byte[] header, int start, int length, long at) throws DatasetException {
            if ((header[start] & 0x80) != 0) {
                // GNU base-256 for values that do not fit in octal digits.
                long value = header[start] & 0x7f;
                for (int i = start + 1; i < start + length; i++) {
                    value = value << 8 | (header[i] & 0xff);
                }
                return value;
            }
            String text = field(header, start, length).trim();
            try {
                return text.isEmpty() ? 0 : Long.parseLong(text, 8);
            } catch (NumberFormatException e) {
                throw DatasetException.atByte(
                        file, at + start, "an octal number in a tar header", "'" + text + "'");
            }
        }

        private static String field(byte[] header, int start, int length) {
            int end = start;
            while (end < start + length && header[end] != 0) {
                end++;
            }
            return new String(header, start, end - start, StandardCharsets.UTF_8);
        }

        private static String trimNul(String text) {
            int nul = text.indexOf('\0');
            return nul < 0 ? text : text.substring(0, nul);
        }

        private static boolean isZero(byte[] block) {
            for (byte b : block) {
                if (b != 0) {
                    return false;
                }
            }
            return true;
        }

        private static long padded(long size) {
            return (size + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
        }
    }
}
