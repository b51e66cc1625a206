package io.depthlab.trainer.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.depthlab.proto.bundle.ModelBundle;
import io.depthlab.proto.bundle.Tensor;
import io.depthlab.trainer.inference.Nd4jClassifier;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundlesTest {

    @TempDir Path dir;

    private static byte[] golden() throws Exception {
        try (InputStream in = BundlesTest.class.getResourceAsStream("/bundles/golden-v1.dlb")) {
            return in.readAllBytes();
        }
    }

    private Path write(byte[] bytes) throws Exception {
        return Files.write(dir.resolve("model.dlb"), bytes);
    }

    /**
     * Raw [10, 20, 30, 40] scaled by 0.01 through the hand-written weights (see the resource's
     * README): hidden = relu([0.15, 0.2, -0.0125]) = [0.15, 0.2, 0], scores = [0.25, 0.75], softmax
     * = [1 / (1 + e^0.5), 1 / (1 + e^-0.5)].
     */
    @Test
    void read_goldenVersion1_loadsAndPredictsTheHandComputedProbabilities() throws Exception {
        ModelBundle bundle = Bundles.read(write(golden()));

        try (Nd4jClassifier classifier = Nd4jClassifier.load(bundle)) {
            float[] probabilities =
                    classifier.predictProbabilities(new float[] {10, 20, 30, 40}, 1);

            assertThat(bundle.getClassLabelsList()).containsExactly("left", "right");
            assertThat((double) probabilities[0]).isCloseTo(0.3775407, within(1e-6));
            assertThat((double) probabilities[1]).isCloseTo(0.6224593, within(1e-6));
        }
    }

    @Test
    void write_thenRead_sameMessage() throws Exception {
        ModelBundle bundle = ModelBundle.parseFrom(golden());
        Path file = dir.resolve("copy.dlb");

        Bundles.write(bundle, file);

        assertThat(Bundles.read(file)).isEqualTo(bundle);
        assertThat(dir).isDirectoryNotContaining("glob:**.tmp");
    }

    @Test
    void read_otherFormatVersion_namesTheReadableRange() throws Exception {
        ModelBundle future =
                ModelBundle.parseFrom(golden()).toBuilder().setFormatVersion(3).build();
        Path file = write(future.toByteArray());

        assertThatThrownBy(() -> Bundles.read(file))
                .isInstanceOf(BundleException.class)
                .hasMessage(
                        file + ": expected model bundle format version 1 to 2, found version 3");
    }

    @Test
    void write_version2_endsWithTheChecksumOfTheBytesBefore() throws Exception {
        ModelBundle bundle = version2();
        Path file = dir.resolve("v2.dlb");

        Bundles.write(bundle, file);

        byte[] bytes = Files.readAllBytes(file);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 5);
        assertThat(bytes[bytes.length - 5]).isEqualTo((byte) 0x7d);
        assertThat(ModelBundle.parseFrom(bytes).getChecksum()).isEqualTo((int) crc.getValue());
        assertThat(Bundles.read(file).toBuilder().clearChecksum().build()).isEqualTo(bundle);
    }

    /**
     * Cut at every field boundary the file still parses as Protocol Buffers data (a shorter
     * message): only the checksum, which the cut removes, tells it from a whole file.
     */
    @Test
    void read_version2CutShortAnywhere_isRefused() throws Exception {
        byte[] bytes = Bundles.toBytes(version2());

        for (int length = 1; length < bytes.length; length++) {
            Path file = write(Arrays.copyOf(bytes, length));

            assertThatThrownBy(() -> Bundles.read(file))
                    .as("cut to %d of %d bytes", length, bytes.length)
                    .isInstanceOf(BundleException.class);
        }
    }

    @Test
    void read_version2CutAtAFieldBoundary_saysCutShort() throws Exception {
        ModelBundle bundle = version2();
        byte[] bytes = Bundles.toBytes(bundle);
        // Class labels are field 7 and the training record field 8: drop everything from 7 on.
        int cut =
                bundle.toBuilder().clearClassLabels().clearTraining().build().toByteArray().length;
        Path file = write(Arrays.copyOf(bytes, cut));

        assertThat(ModelBundle.parseFrom(Arrays.copyOf(bytes, cut)).getClassLabelsCount()).isZero();
        assertThatThrownBy(() -> Bundles.read(file))
                .hasMessage(
                        file
                                + ": expected a version-2 model bundle to end with its checksum,"
                                + " found none (the file was cut short)");
    }

    @Test
    void read_version2WithAChangedByte_saysCorrupt() throws Exception {
        byte[] bytes = Bundles.toBytes(version2());
        // A byte inside a weight value: still valid Protocol Buffers data.
        byte[] changed = bytes.clone();
        int inWeights = indexOf(changed, "hidden.weight".getBytes(StandardCharsets.UTF_8)) + 30;
        changed[inWeights] ^= 0x10;
        Path file = write(changed);

        assertThat(ModelBundle.parseFrom(changed)).isNotEqualTo(ModelBundle.parseFrom(bytes));
        assertThatThrownBy(() -> Bundles.read(file))
                .hasMessageStartingWith(file + ": expected checksum ")
                .hasMessageEndingWith("(the file is corrupt)");
    }

    @Test
    void read_version2RelabelledVersion1_stillChecksSum() throws Exception {
        byte[] bytes = Bundles.toBytes(version2());
        // format_version is field 1: tag 0x08, then the varint 2.
        assertThat(Arrays.copyOf(bytes, 2)).containsExactly(0x08, 0x02);
        bytes[1] = 0x01;
        Path file = write(bytes);

        assertThatThrownBy(() -> Bundles.read(file))
                .hasMessageStartingWith(file + ": expected checksum ")
                .hasMessageEndingWith("(the file is corrupt)");
    }

    private static ModelBundle version2() throws Exception {
        return ModelBundle.parseFrom(golden()).toBuilder()
                .setFormatVersion(Bundles.FORMAT_VERSION)
                .build();
    }

    private static int indexOf(byte[] bytes, byte[] part) {
        for (int i = 0; i + part.length <= bytes.length; i++) {
            if (Arrays.equals(Arrays.copyOfRange(bytes, i, i + part.length), part)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    @Test
    void read_truncated_saysCorrupt() throws Exception {
        byte[] bytes = golden();
        Path file = write(Arrays.copyOf(bytes, bytes.length - 7));

        assertThatThrownBy(() -> Bundles.read(file))
                .isInstanceOf(BundleException.class)
                .hasMessage(
                        file
                                + ": not a model bundle (corrupt or truncated Protocol Buffers"
                                + " data, "
                                + (bytes.length - 7)
                                + " bytes): While parsing a protocol message, the input ended"
                                + " unexpectedly in the middle of a field.  This could mean"
                                + " either that the input has been truncated or that an embedded"
                                + " message misreported its own length.");
    }

    @Test
    void read_tensorShorterThanItsShape_namesTensorAndCounts() throws Exception {
        ModelBundle bundle = ModelBundle.parseFrom(golden());
        Tensor weight = bundle.getParameters(0);
        ModelBundle broken =
                bundle.toBuilder()
                        .setParameters(
                                0,
                                weight.toBuilder()
                                        .clearValues()
                                        .addAllValues(weight.getValuesList().subList(0, 11)))
                        .build();
        Path file = write(broken.toByteArray());

        assertThatThrownBy(() -> Bundles.read(file))
                .isInstanceOf(BundleException.class)
                .hasMessage(
                        file
                                + ": tensor 'hidden.weight' of shape [4, 3] needs 12 values, found"
                                + " 11");
    }

    @Test
    void read_unsignedHugeVersion_printedUnsigned() throws Exception {
        ModelBundle future =
                ModelBundle.parseFrom(golden()).toBuilder().setFormatVersion(-1).build();
        Path file = write(future.toByteArray());

        assertThatThrownBy(() -> Bundles.read(file))
                .hasMessage(
                        file
                                + ": expected model bundle format version 1 to 2, found version"
                                + " 4294967295");
    }

    @Test
    void read_emptyFile_saysEmpty() throws Exception {
        Path file = write(new byte[0]);

        assertThatThrownBy(() -> Bundles.read(file))
                .hasMessage(file + ": expected a model bundle, found an empty file");
    }

    @Test
    void read_folder_saysFolder() {
        assertThatThrownBy(() -> Bundles.read(dir))
                .hasMessage(dir + ": expected a model bundle file, found a folder");
    }

    @Test
    void read_nanWeight_namesTensorAndIndex() throws Exception {
        ModelBundle bundle = ModelBundle.parseFrom(golden());
        Tensor weight = bundle.getParameters(0).toBuilder().setValues(5, Float.NaN).build();
        Path file = write(bundle.toBuilder().setParameters(0, weight).build().toByteArray());

        assertThatThrownBy(() -> Bundles.read(file))
                .hasMessage(
                        file
                                + ": tensor 'hidden.weight' holds NaN at index 5; expected finite"
                                + " values");
    }

    @Test
    void read_missingFile_saysSo() {
        Path file = dir.resolve("absent.dlb");

        assertThatThrownBy(() -> Bundles.read(file))
                .isInstanceOf(BundleException.class)
                .hasMessage(file + ": no such model bundle file");
    }
}
