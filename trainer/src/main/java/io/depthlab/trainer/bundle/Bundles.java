package io.depthlab.trainer.bundle;

import com.google.protobuf.InvalidProtocolBufferException;
import io.depthlab.proto.bundle.ModelBundle;
import io.depthlab.proto.bundle.Tensor;
import io.depthlab.trainer.io.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Reads and writes model bundle files ({@code .dlb}): one {@link ModelBundle} message in the
 * Protocol Buffers binary format, ending (from format version 2) with its {@code checksum} field,
 * the CRC-32C of the bytes before it.
 *
 * <p>Files are untrusted input. {@link #read} rejects unknown format versions, a version-2 file
 * whose checksum is missing (cut short: Protocol Buffers data cut between two fields parses
 * cleanly) or wrong (changed bytes), and tensors whose value count disagrees with their shape,
 * before anything is built from them. Version 1 files, which have no checksum, are still read.
 */
public final class Bundles {

    /** The format version this release writes: {@value}. */
    public static final int FORMAT_VERSION = 2;

    /** The oldest format version this release reads: {@value}. */
    public static final int OLDEST_FORMAT_VERSION = 1;

    /** The first version whose files end with a checksum. */
    private static final int CHECKSUM_VERSION = 2;

    /** The checksum field's tag (field 15, wire type fixed32) and its four bytes. */
    private static final int CHECKSUM_TAG = (ModelBundle.CHECKSUM_FIELD_NUMBER << 3) | 5;

    private static final int TRAILER_BYTES = 5;

    /** The file name extension of model bundles: {@value}. */
    public static final String EXTENSION = ".dlb";

    /** Bundles larger than this are refused before reading: {@value} bytes (1 GiB). */
    public static final long MAX_BYTES = 1L << 30;

    private Bundles() {}

    /**
     * Writes {@code bundle} to {@code file} atomically (a crash leaves the old file intact), ending
     * with its checksum when its format version has one.
     */
    public static void write(ModelBundle bundle, Path file) throws IOException {
        AtomicFiles.write(file, toBytes(bundle));
    }

    /** The file bytes of {@code bundle}: its message, then the checksum from version 2 on. */
    public static byte[] toBytes(ModelBundle bundle) {
        byte[] message = bundle.toBuilder().clearChecksum().build().toByteArray();
        if (bundle.getFormatVersion() < CHECKSUM_VERSION) {
            return message;
        }
        int checksum = crc32c(message, message.length);
        ByteBuffer file = ByteBuffer.allocate(message.length + TRAILER_BYTES);
        file.put(message).put((byte) CHECKSUM_TAG);
        file.order(ByteOrder.LITTLE_ENDIAN).putInt(checksum);
        return file.array();
    }

    /** Reads and checks a bundle file. */
    public static ModelBundle read(Path file) throws BundleException {
        long size = sizeOf(file);
        if (size == 0) {
            throw new BundleException(file + ": expected a model bundle, found an empty file");
        }
        if (size > MAX_BYTES) {
            throw new BundleException(
                    String.format(
                            "%s: expected a model bundle of at most %d bytes, found %d bytes",
                            file, MAX_BYTES, size));
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new BundleException(file + ": cannot read the model bundle: " + e, e);
        }
        ModelBundle bundle;
        try {
            bundle = ModelBundle.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            // The parser says what broke, not where; the size tells a cut file from another kind.
            throw new BundleException(
                    String.format(
                            "%s: not a model bundle (corrupt or truncated Protocol Buffers data,"
                                    + " %d bytes): %s",
                            file, bytes.length, e.getMessage()),
                    e);
        }
        checkVersion(bundle, file.toString());
        if (bundle.getFormatVersion() >= CHECKSUM_VERSION || bundle.hasChecksum()) {
            // An older version with a checksum is a newer file whose version field changed:
            // check it as what it claims to carry.
            checkChecksum(bundle, bytes, file.toString());
        }
        check(bundle, file.toString());
        return bundle;
    }

    private static void checkChecksum(ModelBundle bundle, byte[] bytes, String source)
            throws BundleException {
        int end = bytes.length - TRAILER_BYTES;
        if (!bundle.hasChecksum() || end < 0 || (bytes[end] & 0xff) != CHECKSUM_TAG) {
            throw new BundleException(
                    String.format(
                            "%s: expected a version-%d model bundle to end with its checksum,"
                                    + " found none (the file was cut short)",
                            source, bundle.getFormatVersion()));
        }
        int expected = crc32c(bytes, end);
        if (bundle.getChecksum() != expected) {
            throw new BundleException(
                    String.format(
                            "%s: expected checksum %08x of the first %d bytes, found %08x (the"
                                    + " file is corrupt)",
                            source, bundle.getChecksum(), end, expected));
        }
    }

    private static int crc32c(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    /**
     * Checks what a reader relies on: the format version, a network, and tensors whose values fill
     * their shapes exactly.
     *
     * @param source where the bundle came from, for messages
     */
    public static void check(ModelBundle bundle, String source) throws BundleException {
        checkVersion(bundle, source);
        if (!bundle.hasNetwork() || bundle.getNetwork().getLayersCount() == 0) {
            throw new BundleException(source + ": the model bundle holds no network layers");
        }
        for (Tensor tensor : bundle.getParametersList()) {
            checkTensor(tensor, source);
        }
    }

    private static void checkVersion(ModelBundle bundle, String source) throws BundleException {
        int version = bundle.getFormatVersion();
        if (version < OLDEST_FORMAT_VERSION || version > FORMAT_VERSION) {
            throw new BundleException(
                    String.format(
                            "%s: expected model bundle format version %d to %d, found version %s",
                            source,
                            OLDEST_FORMAT_VERSION,
                            FORMAT_VERSION,
                            Integer.toUnsignedString(version)));
        }
    }

    private static void checkTensor(Tensor tensor, String source) throws BundleException {
        long expected = 1;
        for (long dim : tensor.getShapeList()) {
            if (dim <= 0) {
                throw new BundleException(
                        String.format(
                                "%s: tensor '%s' has shape %s; expected positive dimensions",
                                source, tensor.getName(), tensor.getShapeList()));
            }
            expected = Math.multiplyExact(expected, dim);
        }
        if (expected != tensor.getValuesCount()) {
            throw new BundleException(
                    String.format(
                            "%s: tensor '%s' of shape %s needs %d values, found %d",
                            source,
                            tensor.getName(),
                            tensor.getShapeList(),
                            expected,
                            tensor.getValuesCount()));
        }
        for (int i = 0; i < tensor.getValuesCount(); i++) {
            if (!Float.isFinite(tensor.getValues(i))) {
                throw new BundleException(
                        String.format(
                                "%s: tensor '%s' holds %s at index %d; expected finite values",
                                source, tensor.getName(), tensor.getValues(i), i));
            }
        }
    }

    private static long sizeOf(Path file) throws BundleException {
        if (Files.isDirectory(file)) {
            throw new BundleException(file + ": expected a model bundle file, found a folder");
        }
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            throw new BundleException(file + ": no such model bundle file", e);
        } catch (IOException e) {
            throw new BundleException(file + ": cannot read the model bundle: " + e, e);
        }
    }
}
