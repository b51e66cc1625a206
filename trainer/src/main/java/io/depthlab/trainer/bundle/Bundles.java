package io.depthlab.trainer.bundle;

import com.google.protobuf.InvalidProtocolBufferException;
import io.depthlab.proto.bundle.ModelBundle;
import io.depthlab.proto.bundle.Tensor;
import io.depthlab.trainer.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads and writes model bundle files ({@code .dlb}): one {@link ModelBundle} message in the
 * Protocol Buffers binary format.
 *
 * <p>Files are untrusted input. {@link #read} rejects unknown format versions and tensors whose
 * value count disagrees with their shape before anything is built from them.
 */
public final class Bundles {

    /** The format version this release writes and the only one it reads: {@value}. */
    public static final int FORMAT_VERSION = 1;

    /** The file name extension of model bundles: {@value}. */
    public static final String EXTENSION = ".dlb";

    /** Bundles larger than this are refused before reading: {@value} bytes (1 GiB). */
    public static final long MAX_BYTES = 1L << 30;

    private Bundles() {}

    /** Writes {@code bundle} to {@code file} atomically: a crash leaves the old file intact. */
    public static void write(ModelBundle bundle, Path file) throws IOException {
        AtomicFiles.write(file, bundle.toByteArray());
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
        ModelBundle bundle;
        try (InputStream in = Files.newInputStream(file)) {
            bundle = ModelBundle.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw new BundleException(
                    file + ": not a model bundle (corrupt or truncated Protocol Buffers data)", e);
        } catch (IOException e) {
            throw new BundleException(file + ": cannot read the model bundle: " + e, e);
        }
        check(bundle, file.toString());
        return bundle;
    }

    /**
     * Checks what a reader relies on: the format version, a network, and tensors whose values fill
     * their shapes exactly.
     *
     * @param source where the bundle came from, for messages
     */
    public static void check(ModelBundle bundle, String source) throws BundleException {
        if (bundle.getFormatVersion() != FORMAT_VERSION) {
            throw new BundleException(
                    String.format(
                            "%s: expected model bundle format version %d, found version %s",
                            source,
                            FORMAT_VERSION,
                            Integer.toUnsignedString(bundle.getFormatVersion())));
        }
        if (!bundle.hasNetwork() || bundle.getNetwork().getLayersCount() == 0) {
            throw new BundleException(source + ": the model bundle holds no network layers");
        }
        for (Tensor tensor : bundle.getParametersList()) {
            checkTensor(tensor, source);
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
