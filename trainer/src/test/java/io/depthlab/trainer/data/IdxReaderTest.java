package io.depthlab.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    private static final String BALANCED = "emnist-balanced-subset/";

    @TempDir Path dir;

    @Test
    void readLabels_bymergeTestLabels_matchOfficialCountAndFirstLabels() throws Exception {
        Path file = TestData.shared("emnist-bymerge-test/emnist-bymerge-test-labels-idx1-ubyte.gz");

        IdxReader.Labels labels = IdxReader.readLabels(file);

        // Count and first labels from emnist-bymerge-test/SOURCE.md.
        assertThat(labels.count()).isEqualTo(116_323);
        assertThat(Arrays.copyOf(labels.labels(), 10))
                .containsExactly(24, 22, 28, 0, 5, 8, 5, 1, 4, 3);
    }

    @Test
    void readImages_balancedSubset_hasCountsOfSourceMd() throws Exception {
        Path train =
                TestData.shared(
                        BALANCED + "emnist-balanced-train-103680-112799-images-idx3-ubyte.gz");
        Path test =
                TestData.shared(BALANCED + "emnist-balanced-test-18496-18799-images-idx3-ubyte.gz");

        IdxReader.Images trainImages = IdxReader.readImages(train);
        IdxReader.Images testImages = IdxReader.readImages(test);

        assertThat(trainImages.count()).isEqualTo(9_120);
        assertThat(testImages.count()).isEqualTo(304);
        assertThat(testImages.rows()).isEqualTo(28);
        assertThat(testImages.cols()).isEqualTo(28);
        assertThat(testImages.pixels()).hasSize(304 * 784);
    }

    @Test
    void readLabels_balancedTestSubset_equalsSliceOfFullLabelFile() throws Exception {
        Path subset =
                TestData.shared(BALANCED + "emnist-balanced-test-18496-18799-labels-idx1-ubyte.gz");
        Path full = TestData.shared(BALANCED + "emnist-balanced-test-labels-idx1-ubyte.gz");

        byte[] subsetLabels = IdxReader.readLabels(subset).labels();
        byte[] fullLabels = IdxReader.readLabels(full).labels();

        // The subset holds official test indices 18496..18799 (SOURCE.md).
        assertThat(fullLabels).hasSize(18_800);
        assertThat(subsetLabels).isEqualTo(Arrays.copyOfRange(fullLabels, 18_496, 18_800));
    }

    @Test
    void readImages_plainAndGzip_giveSameContentWhateverTheName() throws Exception {
        byte[] idx = TestData.idxImages(2, 3, 4, TestData.ramp(24, 5));
        Path plainNamedGz = Files.write(dir.resolve("plain.gz"), idx);
        Path gzipNamedPlain = Files.write(dir.resolve("packed.idx"), TestData.gzip(idx));

        IdxReader.Images plain = IdxReader.readImages(plainNamedGz);
        IdxReader.Images packed = IdxReader.readImages(gzipNamedPlain);

        assertThat(plain.pixels()).isEqualTo(TestData.ramp(24, 5));
        assertThat(packed.pixels()).isEqualTo(plain.pixels());
        assertThat(packed.count()).isEqualTo(2);
        assertThat(packed.rows()).isEqualTo(3);
        assertThat(packed.cols()).isEqualTo(4);
    }

    @Test
    void readImages_labelFile_throwsNamingBothMagics() throws Exception {
        Path file = Files.write(dir.resolve("labels"), TestData.idxLabels((byte) 1, (byte) 2));

        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(file));

        assertThat(e)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("at byte 0")
                .hasMessageContaining("expected magic 0x00000803")
                .hasMessageContaining("found 0x00000801");
    }

    @Test
    void readImages_truncatedHeader_throwsWithOffset() throws Exception {
        byte[] idx = TestData.idxImages(1, 2, 2, new byte[4]);
        Path file = Files.write(dir.resolve("short"), Arrays.copyOf(idx, 10));

        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(file));

        assertThat(e)
                .hasMessageContaining("at byte 8")
                .hasMessageContaining("row count")
                .hasMessageContaining("truncated header");
    }

    @Test
    void readImages_truncatedPlainBody_throwsBeforeAllocating() throws Exception {
        byte[] idx = TestData.idxImages(3, 4, 4, new byte[48]);
        Path file = Files.write(dir.resolve("cut"), Arrays.copyOf(idx, idx.length - 5));

        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(file));

        assertThat(e)
                .hasMessageContaining("at byte 16")
                .hasMessageContaining("expected 48 bytes of data for 3 images of 4x4")
                .hasMessageContaining("found 43");
    }

    @Test
    void readImages_gzipOfTruncatedIdx_throwsWithUncompressedOffset() throws Exception {
        byte[] idx = TestData.idxImages(3, 4, 4, new byte[48]);
        Path file = Files.write(dir.resolve("cut.gz"), TestData.gzip(Arrays.copyOf(idx, 16 + 40)));

        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(file));

        assertThat(e)
                .hasMessageContaining("at uncompressed byte 56")
                .hasMessageContaining("after 40 (truncated)");
    }

    @Test
    void readImages_cutGzipStream_throwsDatasetException() throws Exception {
        byte[] packed = TestData.gzip(TestData.idxImages(50, 28, 28, TestData.ramp(39_200, 0)));
        Path file =
                Files.write(dir.resolve("cut-stream.gz"), Arrays.copyOf(packed, packed.length / 2));

        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(file));

        assertThat(e).hasMessageContaining(file.toString()).hasMessageContaining("gzip");
    }

    @Test
    void readImages_absurdDimensionsInTinyGzip_throwsBeforeAllocating() throws Exception {
        byte[] header =
                TestData.idx(IdxReader.IMAGES_MAGIC, new int[] {50_000, 300, 300}, new byte[0]);
        Path file = Files.write(dir.resolve("huge.gz"), TestData.gzip(header));

        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(file));

        assertThat(e).hasMessageContaining("asking for 4500000000");
    }

    @Test
    void readImages_dimensionsOverflowingLong_throwsInsteadOfWrapping() throws Exception {
        int max = Integer.MAX_VALUE;
        byte[] header =
                TestData.idx(IdxReader.IMAGES_MAGIC, new int[] {max, max, max}, new byte[0]);
        Path file = Files.write(dir.resolve("overflow"), header);

        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(file));

        assertThat(e).hasMessageContaining("asking for " + Long.MAX_VALUE);
    }

    @Test
    void readImages_forgedCountInGzip_throwsTruncatedAfterRealData() throws Exception {
        // 2 MB claimed: within the deflate ratio bound of a gzip file holding 4 KB of noise, and
        // more than the first read chunk, so the reader must grow its buffer before it fails.
        byte[] noise = new byte[4_000];
        new Random(1).nextBytes(noise);
        byte[] idx = TestData.idxImages(2_000, 1, 1_000, noise);
        Path file = Files.write(dir.resolve("forged.gz"), TestData.gzip(idx));

        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(file));

        assertThat(e).hasMessageContaining("found the end of the data after 4000 (truncated)");
    }

    @Test
    void readImages_zeroRows_throws() throws Exception {
        Path file = Files.write(dir.resolve("zero"), TestData.idxImages(1, 0, 4, new byte[0]));

        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(file));

        assertThat(e).hasMessageContaining("at byte 8: expected a positive row count, found 0");
    }

    @Test
    void readLabels_trailingBytesPlainAndGzip_throw() throws Exception {
        byte[] idx = TestData.idxLabels((byte) 1, (byte) 2);
        byte[] longer = Arrays.copyOf(idx, idx.length + 3);
        Path plain = Files.write(dir.resolve("trailing"), longer);
        Path packed = Files.write(dir.resolve("trailing.gz"), TestData.gzip(longer));

        DatasetException plainError =
                assertThrows(DatasetException.class, () -> IdxReader.readLabels(plain));
        DatasetException packedError =
                assertThrows(DatasetException.class, () -> IdxReader.readLabels(packed));

        assertThat(plainError).hasMessageContaining("at byte 10").hasMessageContaining("3 more");
        assertThat(packedError).hasMessageContaining("trailing data");
    }

    @Test
    void readImageSet_labelPastClassCount_throwsNamingFileIndexAndOffset() throws Exception {
        Path images = Files.write(dir.resolve("images"), TestData.idxImages(3, 2, 2, new byte[12]));
        Path labels =
                Files.write(
                        dir.resolve("labels"), TestData.idxLabels((byte) 0, (byte) 1, (byte) 9));

        DatasetException e =
                assertThrows(
                        DatasetException.class,
                        () -> IdxReader.readImageSet(images, labels, TestData.names(5)));

        assertThat(e)
                .hasMessage(
                        labels + " at byte 10: expected label 2 below the class count 5, found 9");
    }

    @Test
    void readImageSet_countsDiffer_throws() throws Exception {
        Path images = Files.write(dir.resolve("images"), TestData.idxImages(3, 2, 2, new byte[12]));
        Path labels = Files.write(dir.resolve("labels"), TestData.idxLabels((byte) 0));

        DatasetException e =
                assertThrows(
                        DatasetException.class,
                        () -> IdxReader.readImageSet(images, labels, TestData.names(5)));

        assertThat(e).hasMessageContaining("expected 3 labels").hasMessageContaining("found 1");
    }

    @Test
    void readImageSet_validFiles_keepsPixelsAndLabels() throws Exception {
        Path images =
                Files.write(
                        dir.resolve("images"), TestData.idxImages(2, 2, 3, TestData.ramp(12, 0)));
        Path labels = Files.write(dir.resolve("labels"), TestData.idxLabels((byte) 4, (byte) 0));

        ImageSet set = IdxReader.readImageSet(images, labels, TestData.names(5));

        assertThat(set.count()).isEqualTo(2);
        assertThat(set.channels()).isEqualTo(1);
        assertThat(set.height()).isEqualTo(2);
        assertThat(set.width()).isEqualTo(3);
        assertThat(set.labels()).containsExactly(4, 0);
        assertThat(set.example(1)).isEqualTo(TestData.ramp(6, 6));
    }
}
