package io.depthlab.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmnistTest {

    private static final String BALANCED = "emnist-balanced-subset/";

    @TempDir Path dir;

    /** Links the shared Balanced subset into {@code dir} under the official file names. */
    private void assembleBalanced(String trainLabels) throws Exception {
        link("emnist-balanced-train-103680-112799-images-idx3-ubyte.gz", "train-images");
        link(trainLabels, "train-labels");
        link("emnist-balanced-test-18496-18799-images-idx3-ubyte.gz", "test-images");
        link("emnist-balanced-test-18496-18799-labels-idx1-ubyte.gz", "test-labels");
        Files.createSymbolicLink(
                dir.resolve("emnist-balanced-mapping.txt"),
                TestData.shared(BALANCED + "emnist-balanced-mapping.txt"));
    }

    private void link(String sharedName, String part) throws Exception {
        String kind = part.endsWith("images") ? "idx3" : "idx1";
        Files.createSymbolicLink(
                dir.resolve("emnist-balanced-" + part + "-" + kind + "-ubyte.gz"),
                TestData.shared(BALANCED + sharedName));
    }

    @Test
    void load_officialNames_readsSubsetsAndMapping() throws Exception {
        assembleBalanced("emnist-balanced-train-103680-112799-labels-idx1-ubyte.gz");

        Dataset data = Emnist.load(dir);

        assertThat(data.name()).isEqualTo("emnist-balanced");
        assertThat(data.layout()).isEqualTo(Emnist.LAYOUT);
        assertThat(data.train().count()).isEqualTo(9_120);
        assertThat(data.test().count()).isEqualTo(304);
        assertThat(data.train().height()).isEqualTo(28);
        // The official Balanced mapping: 0-9, A-Z, then a b d e f g h n q r t.
        assertThat(data.train().classNames()).isEqualTo(Emnist.BALANCED_CLASS_NAMES).hasSize(47);
    }

    @Test
    void load_fullLabelFileWithSubsetImages_throwsCountMismatch() throws Exception {
        assembleBalanced("emnist-balanced-train-labels-idx1-ubyte.gz");

        DatasetException e = assertThrows(DatasetException.class, () -> Emnist.load(dir));

        assertThat(e)
                .hasMessageContaining("emnist-balanced-train-labels-idx1-ubyte.gz")
                .hasMessageContaining("expected 9120 labels")
                .hasMessageContaining("found 112800");
    }

    @Test
    void load_twoVariants_needsTheVariantName() throws Exception {
        assembleBalanced("emnist-balanced-train-103680-112799-labels-idx1-ubyte.gz");
        Files.createSymbolicLink(
                dir.resolve("emnist-bymerge-mapping.txt"),
                TestData.shared("emnist-bymerge-test/emnist-bymerge-mapping.txt"));

        DatasetException e = assertThrows(DatasetException.class, () -> Emnist.load(dir));
        Dataset balanced = Emnist.load(dir, "balanced");

        assertThat(e)
                .hasMessageContaining("expected exactly one file matching *mapping.txt, found 2")
                .hasMessageContaining("emnist-balanced-mapping.txt, emnist-bymerge-mapping.txt");
        assertThat(balanced.test().count()).isEqualTo(304);
    }

    @Test
    void load_missingTestImages_listsTheFilesFound() throws Exception {
        Files.writeString(dir.resolve("emnist-x-mapping.txt"), "0 48\n");
        Files.write(
                dir.resolve("emnist-x-train-images-idx3-ubyte"),
                TestData.idxImages(1, 1, 1, new byte[1]));
        Files.write(dir.resolve("emnist-x-train-labels-idx1-ubyte"), TestData.idxLabels((byte) 0));

        DatasetException e = assertThrows(DatasetException.class, () -> Emnist.load(dir));

        assertThat(e)
                .hasMessageContaining("*test-images-idx3-ubyte[.gz]")
                .hasMessageContaining("found none among 3 files")
                .hasMessageContaining("emnist-x-train-labels-idx1-ubyte");
    }

    @Test
    void load_labelPastMapping_throwsNamingFileAndIndex() throws Exception {
        Files.writeString(dir.resolve("emnist-x-mapping.txt"), "0 48\n1 49\n");
        Files.write(
                dir.resolve("emnist-x-train-images-idx3-ubyte"),
                TestData.idxImages(2, 1, 1, new byte[2]));
        Path labels =
                Files.write(
                        dir.resolve("emnist-x-train-labels-idx1-ubyte"),
                        TestData.idxLabels((byte) 1, (byte) 2));
        Files.write(
                dir.resolve("emnist-x-test-images-idx3-ubyte"),
                TestData.idxImages(1, 1, 1, new byte[1]));
        Files.write(dir.resolve("emnist-x-test-labels-idx1-ubyte"), TestData.idxLabels((byte) 0));

        DatasetException e = assertThrows(DatasetException.class, () -> Emnist.load(dir));

        assertThat(e)
                .hasMessage(
                        labels + " at byte 9: expected label 1 below the class count 2, found 2");
    }

    @Test
    void readMapping_repeatedLabel_throwsWithLine() throws Exception {
        Path file = Files.writeString(dir.resolve("m.txt"), "0 48\n0 49\n");

        DatasetException e = assertThrows(DatasetException.class, () -> Emnist.readMapping(file));

        assertThat(e).hasMessage(file + ", line 2: expected each label once, found label 0 again");
    }

    @Test
    void transpose_twoByThree_swapsRowsAndColumns() {
        byte[] image = {1, 2, 3, 4, 5, 6};

        byte[] transposed = Emnist.transpose(image, 2, 3);

        assertThat(transposed).containsExactly(1, 4, 2, 5, 3, 6);
        assertThat(Emnist.transpose(transposed, 3, 2)).isEqualTo(image);
    }

    @Test
    void loadNpz_uint8Inputs_readsPixelsAndTargets() throws Exception {
        byte[] pixels = TestData.ramp(2 * 784, 3);
        Path file = npz("|u1", pixels, TestData.int64(46, 0));

        ImageSet set = Emnist.loadNpz(file);

        assertThat(set.count()).isEqualTo(2);
        assertThat(set.labels()).containsExactly(46, 0);
        assertThat(set.classNames().get(46)).isEqualTo("t");
        assertThat(set.example(1)).isEqualTo(TestData.ramp(784, 3 + 784));
    }

    @Test
    void loadNpz_integralFloatInputs_becomeBytes() throws Exception {
        float[] values = new float[2 * 784];
        values[5] = 255f;
        values[784] = 17f;
        Path file = npz("<f4", TestData.float32(values), TestData.int64(1, 2));

        ImageSet set = Emnist.loadNpz(file);

        assertThat(set.example(0)[5] & 0xff).isEqualTo(255);
        assertThat(set.example(1)[0]).isEqualTo((byte) 17);
    }

    @Test
    void loadNpz_fractionalPixel_throwsNamingElement() throws Exception {
        float[] values = new float[2 * 784];
        values[790] = 0.5f;
        Path file = npz("<f4", TestData.float32(values), TestData.int64(1, 2));

        DatasetException e = assertThrows(DatasetException.class, () -> Emnist.loadNpz(file));

        assertThat(e)
                .hasMessageContaining("inputs element 790 (example 1)")
                .hasMessageContaining("found 0.5");
    }

    @Test
    void loadNpz_targetPastClasses_throwsNamingIndex() throws Exception {
        Path file = npz("|u1", new byte[2 * 784], TestData.int64(3, 47));

        DatasetException e = assertThrows(DatasetException.class, () -> Emnist.loadNpz(file));

        assertThat(e).hasMessage(file + ", targets[1]: expected a class in [0, 47), found 47");
    }

    private Path npz(String inputDescr, byte[] inputs, byte[] targets) throws Exception {
        Map<String, byte[]> members = new LinkedHashMap<>();
        int count = targets.length / 8;
        members.put("inputs.npy", TestData.npy(inputDescr, false, "(" + count + ", 784)", inputs));
        members.put("targets.npy", TestData.npy("<i8", false, "(" + count + ",)", targets));
        return TestData.zip(dir.resolve("emnist-train.npz"), members);
    }

    @Test
    void transpose_realImage_keepsPixelSum() throws Exception {
        Path file =
                TestData.shared(BALANCED + "emnist-balanced-test-18496-18799-images-idx3-ubyte.gz");
        byte[] first = new byte[784];
        ByteBuffer.wrap(IdxReader.readImages(file).pixels()).get(first);

        byte[] upright = Emnist.transpose(first, 28, 28);

        assertThat(sum(upright)).isEqualTo(sum(first)).isPositive();
        assertThat(upright[1 * 28 + 5]).isEqualTo(first[5 * 28 + 1]);
    }

    private static long sum(byte[] bytes) {
        long sum = 0;
        for (byte b : bytes) {
            sum += b & 0xff;
        }
        return sum;
    }
}
