package io.depthlab.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchivesTest {

    @TempDir Path dir;

    /** One tar member: a ustar header with a valid checksum, then the padded content. */
    private static byte[] tarMember(String name, char type, byte[] content) {
        byte[] header = new byte[512];
        put(header, 0, name);
        put(header, 100, "0000644");
        put(header, 108, "0000000");
        put(header, 116, "0000000");
        put(header, 124, String.format("%011o", content.length));
        put(header, 136, "00000000000");
        put(header, 148, "        ");
        header[156] = (byte) type;
        put(header, 257, "ustar");
        put(header, 263, "00");
        int sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        put(header, 148, String.format("%06o", sum));
        header[154] = 0;
        byte[] member = Arrays.copyOf(header, 512 + (content.length + 511) / 512 * 512);
        System.arraycopy(content, 0, member, 512, content.length);
        return member;
    }

    private static void put(byte[] header, int at, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, at, bytes.length);
    }

    private Path tarGz(byte[]... members) throws Exception {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        for (byte[] member : members) {
            tar.writeBytes(member);
        }
        tar.writeBytes(new byte[1024]);
        return Files.write(dir.resolve("a.tar.gz"), TestData.gzip(tar.toByteArray()));
    }

    @Test
    void extractTarGz_wantedMembers_areWrittenAndOthersSkipped() throws Exception {
        byte[] test = TestData.ramp(700, 1);
        byte[] meta = TestData.ramp(3, 9);
        Path archive =
                tarGz(
                        tarMember("cifar-100-binary/", '5', new byte[0]),
                        tarMember("cifar-100-binary/train.bin", '0', TestData.ramp(1500, 2)),
                        tarMember("cifar-100-binary/test.bin", '0', test),
                        tarMember("cifar-100-binary/meta", '0', meta));
        Path out = dir.resolve("out");

        Archives.extractTarGz(
                archive,
                Map.of(
                        "cifar-100-binary/test.bin", out.resolve("test.bin"),
                        "cifar-100-binary/meta", out.resolve("meta")));

        assertThat(out.resolve("test.bin")).hasBinaryContent(test);
        assertThat(out.resolve("meta")).hasBinaryContent(meta);
        assertThat(out.resolve("train.bin")).doesNotExist();
        assertThat(Files.list(out)).hasSize(2);
    }

    @Test
    void extractTarGz_gnuLongName_namesTheNextMember() throws Exception {
        String longName = "cifar-100-python/" + "x".repeat(120);
        byte[] nameBytes = (longName + "\0").getBytes(StandardCharsets.US_ASCII);
        Path archive =
                tarGz(
                        tarMember("././@LongLink", 'L', nameBytes),
                        tarMember(longName.substring(0, 99), '0', TestData.ramp(5, 0)));

        Archives.extractTarGz(archive, Map.of(longName, dir.resolve("long")));

        assertThat(dir.resolve("long")).hasBinaryContent(TestData.ramp(5, 0));
    }

    @Test
    void extractTarGz_pathTraversal_isRefused() throws Exception {
        Path archive = tarGz(tarMember("cifar-100-binary/../../evil", '0', new byte[1]));

        DatasetException e =
                assertThrows(
                        DatasetException.class,
                        () -> Archives.extractTarGz(archive, Map.of("x", dir.resolve("x"))));

        assertThat(e)
                .hasMessageContaining("'cifar-100-binary/../../evil'")
                .hasMessageContaining("path traversal");
    }

    @Test
    void extractTarGz_wantedMemberIsSymlink_isRefused() throws Exception {
        Path archive = tarGz(tarMember("cifar-100-binary/test.bin", '2', new byte[0]));

        DatasetException e =
                assertThrows(
                        DatasetException.class,
                        () ->
                                Archives.extractTarGz(
                                        archive,
                                        Map.of("cifar-100-binary/test.bin", dir.resolve("t"))));

        assertThat(e).hasMessageContaining("expected a regular file, found tar type '2'");
        assertThat(dir.resolve("t")).doesNotExist();
    }

    @Test
    void extractTarGz_truncatedMember_throwsAndLeavesNoTarget() throws Exception {
        byte[] member = tarMember("m", '0', TestData.ramp(2000, 0));
        Path archive =
                Files.write(dir.resolve("cut.tar.gz"), TestData.gzip(Arrays.copyOf(member, 1200)));

        DatasetException e =
                assertThrows(
                        DatasetException.class,
                        () -> Archives.extractTarGz(archive, Map.of("m", dir.resolve("m"))));

        assertThat(e)
                .hasMessageContaining("2000 bytes of member 'm'")
                .hasMessageContaining("truncated");
        assertThat(dir.resolve("m")).doesNotExist();
        assertThat(dir.resolve("m.part")).doesNotExist();
    }

    @Test
    void extractTarGz_corruptHeader_isRefusedByChecksum() throws Exception {
        byte[] member = tarMember("m", '0', new byte[3]);
        member[10] = 'z';
        Path archive = tarGz(member);

        DatasetException e =
                assertThrows(
                        DatasetException.class,
                        () -> Archives.extractTarGz(archive, Map.of("m", dir.resolve("m"))));

        assertThat(e).hasMessageContaining("corrupt archive");
    }

    @Test
    void extractZip_wantedMembers_areWrittenAndMissingOnesNamed() throws Exception {
        Map<String, byte[]> members = new LinkedHashMap<>();
        members.put(
                "gzip/emnist-balanced-mapping.txt", "0 48\n".getBytes(StandardCharsets.US_ASCII));
        members.put("gzip/emnist-letters-mapping.txt", new byte[1]);
        Path zip = TestData.zip(dir.resolve("gzip.zip"), members);
        Path out = dir.resolve("emnist-balanced");

        Archives.extractZip(
                zip, Map.of("gzip/emnist-balanced-mapping.txt", out.resolve("mapping.txt")));
        DatasetException e =
                assertThrows(
                        DatasetException.class,
                        () -> Archives.extractZip(zip, Map.of("gzip/absent", out.resolve("a"))));

        assertThat(out.resolve("mapping.txt")).hasContent("0 48");
        assertThat(Files.list(out)).hasSize(1);
        assertThat(e).hasMessageContaining("[gzip/absent]");
    }

    @Test
    void extractZip_pathTraversal_isRefused() throws Exception {
        Path zip = TestData.zip(dir.resolve("evil.zip"), Map.of("../evil.txt", new byte[1]));

        DatasetException e =
                assertThrows(
                        DatasetException.class,
                        () -> Archives.extractZip(zip, Map.of("../evil.txt", dir.resolve("e"))));

        assertThat(e).hasMessageContaining("'../evil.txt'").hasMessageContaining("path traversal");
        assertThat(dir.resolve("e")).doesNotExist();
        assertThat(dir.getParent().resolve("evil.txt")).doesNotExist();
    }
}
