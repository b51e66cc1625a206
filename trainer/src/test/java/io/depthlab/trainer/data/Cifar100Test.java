package io.depthlab.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.depthlab.trainer.data.Cifar100.LabelKind;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar100Test {

    @TempDir Path dir;

    @Test
    void readBinary_realTestBin_hasOfficialCountAndFirstLabels() throws Exception {
        Path folder = TestData.shared("cifar100");
        Path test = TestData.shared("cifar100/test.bin");
        List<String> fine = Cifar100.readLabelNames(folder.resolve("fine_label_names.txt"), 100);

        ImageSet set = Cifar100.readBinary(List.of(test), LabelKind.FINE, fine);

        // The first official test labels (cifar100/SOURCE.md): mountain, forest, seal,
        // mushroom, sea.
        assertThat(set.count()).isEqualTo(10_000);
        assertThat(Arrays.copyOf(set.labels(), 5)).containsExactly(49, 33, 72, 51, 71);
        assertThat(set.classNames().subList(0, 2)).containsExactly("apple", "aquarium_fish");
        assertThat(List.of(49, 33, 72, 51, 71).stream().map(fine::get))
                .containsExactly("mountain", "forest", "seal", "mushroom", "sea");
        assertThat(set.example(0)).isEqualTo(firstRecordPixels(test));
    }

    @Test
    void readBinary_coarseLabels_followTheSuperclassTable() throws Exception {
        Path folder = TestData.shared("cifar100");
        List<String> coarse = Cifar100.readLabelNames(folder.resolve("coarse_label_names.txt"), 20);
        Path firstRecords = Files.write(dir.resolve("first.bin"), firstRecords(folder, 5));

        ImageSet set = Cifar100.readBinary(List.of(firstRecords), LabelKind.COARSE, coarse);

        // mountain, forest and sea are large natural outdoor scenes, a seal an aquatic mammal,
        // a mushroom fruit and vegetables.
        assertThat(set.labels()).containsExactly(10, 10, 0, 4, 10);
        assertThat(coarse.get(10)).isEqualTo("large_natural_outdoor_scenes");
    }

    @Test
    void load_trainParts_areJoinedInNumericOrder() throws Exception {
        Path folder = TestData.shared("cifar100");
        byte[] records = firstRecords(folder, 10);
        // Part 10 sorts before part 2 by name: the order must be numeric.
        for (int part = 1; part <= 10; part++) {
            Files.write(
                    dir.resolve("train-part" + part + ".bin"),
                    Arrays.copyOfRange(records, (part - 1) * 3074, part * 3074));
        }
        Files.write(dir.resolve("test.bin"), Arrays.copyOf(records, 3074));
        for (String names : List.of("fine_label_names.txt", "coarse_label_names.txt")) {
            Files.copy(folder.resolve(names), dir.resolve(names));
        }

        Dataset data = Cifar100.load(dir, LabelKind.FINE);

        assertThat(data.name()).isEqualTo("cifar100-fine");
        assertThat(data.train().count()).isEqualTo(10);
        assertThat(data.train().labels()).startsWith(49, 33, 72);
        assertThat(data.train().labels()[9]).isEqualTo(records[9 * 3074 + 1]);
        assertThat(data.test().labels()).containsExactly(49);
        assertThat(data.train().channels()).isEqualTo(3);
        assertThat(data.train().height()).isEqualTo(32);
    }

    @Test
    void trainFiles_missingPart_namesTheGap() throws Exception {
        for (int part : new int[] {1, 3}) {
            Files.write(dir.resolve("train-part" + part + ".bin"), new byte[3074]);
        }

        DatasetException e = assertThrows(DatasetException.class, () -> Cifar100.trainFiles(dir));

        assertThat(e)
                .hasMessage(
                        dir
                                + ": expected training parts numbered 1 to 2 without gaps, found"
                                + " parts [1, 3] (part 2 is missing)");
    }

    @Test
    void readBinary_sizeNotMultipleOfRecord_throwsNamingSizes() throws Exception {
        Path file = Files.write(dir.resolve("bad.bin"), new byte[3074 * 2 + 10]);

        DatasetException e =
                assertThrows(
                        DatasetException.class,
                        () ->
                                Cifar100.readBinary(
                                        List.of(file), LabelKind.FINE, TestData.names(100)));

        assertThat(e)
                .hasMessage(
                        file
                                + ": expected a size that is a positive multiple of the 3074-byte"
                                + " record, found 6158 bytes (2 records and 10 bytes over)");
    }

    /** Fine class 5 (bed) is household furniture (coarse 6) in every record of the real data. */
    @Test
    void readBinary_fineClassUnderTwoCoarseClasses_namesBothRecords() throws Exception {
        byte[] records = new byte[3074 * 3];
        records[0] = 6;
        records[1] = 5;
        records[2 * 3074] = 19;
        records[2 * 3074 + 1] = 5;
        Path first = Files.write(dir.resolve("a.bin"), Arrays.copyOf(records, 3074));
        Path rest = Files.write(dir.resolve("b.bin"), Arrays.copyOfRange(records, 3074, 3 * 3074));

        DatasetException e =
                assertThrows(
                        DatasetException.class,
                        () ->
                                Cifar100.readBinary(
                                        List.of(first, rest), LabelKind.FINE, TestData.names(100)));

        assertThat(e)
                .hasMessage(
                        rest
                                + ", record 1 (byte 3074): expected coarse label 6 for fine label"
                                + " 5, as in "
                                + first
                                + ", record 0 (byte 0), found 19");
    }

    @Test
    void readBinary_fineLabel100_throwsNamingRecord() throws Exception {
        byte[] records = new byte[3074 * 2];
        records[3074 + 1] = 100;
        Path file = Files.write(dir.resolve("fine.bin"), records);

        DatasetException e =
                assertThrows(
                        DatasetException.class,
                        () ->
                                Cifar100.readBinary(
                                        List.of(file), LabelKind.FINE, TestData.names(100)));

        assertThat(e)
                .hasMessage(
                        file
                                + ", record 1 (byte 3075): expected a fine label below 100, found"
                                + " 100");
    }

    @Test
    void readBinary_coarseLabel20_throwsNamingRecord() throws Exception {
        byte[] records = new byte[3074];
        records[0] = 20;
        Path file = Files.write(dir.resolve("coarse.bin"), records);

        DatasetException e =
                assertThrows(
                        DatasetException.class,
                        () ->
                                Cifar100.readBinary(
                                        List.of(file), LabelKind.FINE, TestData.names(100)));

        assertThat(e).hasMessageContaining("record 0 (byte 0): expected a coarse label below 20");
    }

    @Test
    void load_noTrainFile_throws() throws Exception {
        Files.writeString(
                dir.resolve("fine_label_names.txt"), String.join("\n", TestData.names(100)));

        DatasetException e =
                assertThrows(DatasetException.class, () -> Cifar100.load(dir, LabelKind.FINE));

        assertThat(e).hasMessageContaining("expected train.bin or train-part1.bin");
    }

    @Test
    void loadPython_fixture_readsDataLabelsAndNames() throws Exception {
        Path folder = TestData.resource("cifar-100-python-tiny");

        Dataset fine = Cifar100.loadPython(folder, LabelKind.FINE);
        Dataset coarse = Cifar100.loadPython(folder, LabelKind.COARSE);

        assertThat(fine.train().count()).isEqualTo(3);
        assertThat(fine.test().count()).isEqualTo(2);
        assertThat(fine.train().labels()).containsExactly(49, 33, 72);
        assertThat(fine.train().classNames().get(49)).isEqualTo("mountain");
        assertThat(fine.test().labels()).containsExactly(99, 0);
        assertThat(coarse.train().labels()).containsExactly(10, 10, 0);
        assertThat(coarse.train().classNames().get(0)).isEqualTo("aquatic_mammals");
        // make_fixture.py: pixel j of image i is (7 * i + j) % 256.
        assertThat(fine.train().example(2)).isEqualTo(TestData.ramp(3072, 14));
    }

    private static byte[] firstRecords(Path folder, int count) throws Exception {
        try (InputStream in = Files.newInputStream(folder.resolve("test.bin"))) {
            return in.readNBytes(3074 * count);
        }
    }

    private static byte[] firstRecordPixels(Path test) throws Exception {
        try (InputStream in = Files.newInputStream(test)) {
            return Arrays.copyOfRange(in.readNBytes(3074), 2, 3074);
        }
    }
}
