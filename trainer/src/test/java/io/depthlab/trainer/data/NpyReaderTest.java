package io.depthlab.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyReaderTest {

    @TempDir Path dir;

    @Test
    void readNpy_float32Matrix_readsShapeAndValues() throws Exception {
        byte[] npy = TestData.npy("<f4", false, "(2, 3)", TestData.float32(0, 1, 2.5f, -3, 4, 5));
        Path file = Files.write(dir.resolve("a.npy"), npy);

        NumpyArray array = NpyReader.readNpy(file);

        assertThat(array.dtype()).isEqualTo(NumpyArray.DType.FLOAT32);
        assertThat(array.shape()).containsExactly(2, 3);
        assertThat(array.doubleAt(2)).isCloseTo(2.5, within(0.0));
        assertThat(array.doubleAt(3)).isCloseTo(-3, within(0.0));
    }

    @Test
    void readNpy_python2LongsInShape_areAccepted() throws Exception {
        byte[] npy = TestData.npy("<i8", false, "(3L,)", TestData.int64(7, -1, 1L << 40));
        Path file = Files.write(dir.resolve("b.npy"), npy);

        NumpyArray array = NpyReader.readNpy(file);

        assertThat(array.shape()).containsExactly(3);
        assertThat(array.longAt(1)).isEqualTo(-1);
        assertThat(array.longAt(2)).isEqualTo(1L << 40);
    }

    @Test
    void readNpy_version2Header_isRead() throws Exception {
        byte[] v1 = TestData.npy("|u1", false, "(4,)", new byte[] {1, 2, 3, (byte) 200});
        // Version 2 stores the header length in 4 bytes instead of 2.
        byte[] v2 = new byte[v1.length + 2];
        System.arraycopy(v1, 0, v2, 0, 8);
        v2[6] = 2;
        v2[8] = v1[8];
        v2[9] = v1[9];
        System.arraycopy(v1, 10, v2, 12, v1.length - 10);
        Path file = Files.write(dir.resolve("v2.npy"), v2);

        NumpyArray array = NpyReader.readNpy(file);

        assertThat(array.longAt(3)).isEqualTo(200);
    }

    @Test
    void readNpy_bigEndianFloat_isRefusedNamingTheDtype() throws Exception {
        Path file =
                Files.write(dir.resolve("be.npy"), TestData.npy(">f4", false, "(1,)", new byte[4]));

        DatasetException e = assertThrows(DatasetException.class, () -> NpyReader.readNpy(file));

        assertThat(e)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("expected dtype |u1, <i4, <i8, <f4 or <f8")
                .hasMessageContaining("found '>f4'");
    }

    @Test
    void readNpy_objectDtype_isRefused() throws Exception {
        Path file =
                Files.write(dir.resolve("o.npy"), TestData.npy("|O", false, "(1,)", new byte[8]));

        DatasetException e = assertThrows(DatasetException.class, () -> NpyReader.readNpy(file));

        assertThat(e).hasMessageContaining("found '|O'");
    }

    @Test
    void readNpy_fortranOrderMatrix_isRefused() throws Exception {
        Path file =
                Files.write(dir.resolve("f.npy"), TestData.npy("|u1", true, "(2, 2)", new byte[4]));

        DatasetException e = assertThrows(DatasetException.class, () -> NpyReader.readNpy(file));

        assertThat(e).hasMessageContaining("fortran_order False");
    }

    @Test
    void readNpy_truncatedData_throwsWithOffsets() throws Exception {
        byte[] npy = TestData.npy("<i8", false, "(3,)", TestData.int64(1, 2, 3));
        Path file = Files.write(dir.resolve("cut.npy"), Arrays.copyOf(npy, npy.length - 4));

        DatasetException e = assertThrows(DatasetException.class, () -> NpyReader.readNpy(file));

        assertThat(e)
                .hasMessageContaining("at byte 148")
                .hasMessageContaining("expected 24 bytes of array data starting at byte 128")
                .hasMessageContaining("after 20 (truncated)");
    }

    @Test
    void readNpy_trailingBytes_throws() throws Exception {
        byte[] npy = TestData.npy("|u1", false, "(2,)", new byte[] {1, 2});
        Path file = Files.write(dir.resolve("long.npy"), Arrays.copyOf(npy, npy.length + 1));

        DatasetException e = assertThrows(DatasetException.class, () -> NpyReader.readNpy(file));

        assertThat(e).hasMessageContaining("at byte 130").hasMessageContaining("trailing data");
    }

    @Test
    void readNpy_notNpy_throwsNamingTheBytesFound() throws Exception {
        Path file = Files.write(dir.resolve("x.npy"), "PK\u0003\u0004 not npy".getBytes("UTF-8"));

        DatasetException e = assertThrows(DatasetException.class, () -> NpyReader.readNpy(file));

        assertThat(e).hasMessageContaining("expected the .npy magic").hasMessageContaining("50 4b");
    }

    @Test
    void readNpz_twoMembers_namesThemWithoutSuffix() throws Exception {
        Map<String, byte[]> members = new LinkedHashMap<>();
        members.put("inputs.npy", TestData.npy("|u1", false, "(1, 2)", new byte[] {9, 8}));
        members.put("targets.npy", TestData.npy("<i8", false, "(1,)", TestData.int64(5)));
        Path file = TestData.zip(dir.resolve("a.npz"), members);

        Map<String, NumpyArray> arrays = NpyReader.readNpz(file);

        assertThat(arrays).containsOnlyKeys("inputs", "targets");
        assertThat(arrays.get("inputs").longAt(1)).isEqualTo(8);
        assertThat(arrays.get("targets").longAt(0)).isEqualTo(5);
    }

    @Test
    void readNpz_badMember_throwsNamingArchiveAndMember() throws Exception {
        Path file =
                TestData.zip(
                        dir.resolve("bad.npz"),
                        Map.of("inputs.npy", TestData.npy("<c8", false, "(1,)", new byte[8])));

        DatasetException e = assertThrows(DatasetException.class, () -> NpyReader.readNpz(file));

        assertThat(e).hasMessageContaining(file + "!inputs.npy").hasMessageContaining("'<c8'");
    }
}
