package io.depthlab.trainer.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.depthlab.proto.bundle.ModelBundle;
import io.depthlab.proto.bundle.Tensor;
import io.depthlab.trainer.inference.Nd4jClassifier;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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
    void read_otherFormatVersion_namesBothVersions() throws Exception {
        ModelBundle future =
                ModelBundle.parseFrom(golden()).toBuilder().setFormatVersion(2).build();
        Path file = write(future.toByteArray());

        assertThatThrownBy(() -> Bundles.read(file))
                .isInstanceOf(BundleException.class)
                .hasMessage(file + ": expected model bundle format version 1, found version 2");
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
                                + " data)");
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
                                + ": expected model bundle format version 1, found version"
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
