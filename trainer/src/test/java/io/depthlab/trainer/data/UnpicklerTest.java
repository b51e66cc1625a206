package io.depthlab.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnpicklerTest {

    @TempDir Path dir;

    /** Writes pickle opcodes by hand, in the form Python 2's cPickle uses for CIFAR-100. */
    private static final class Pickle {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle op(int... bytes) {
            for (int b : bytes) {
                out.write(b);
            }
            return this;
        }

        Pickle global(String module, String name) {
            return op('c').text(module + "\n" + name + "\n");
        }

        Pickle shortString(String value) {
            return op('U', value.length()).text(value);
        }

        Pickle shortBytes(byte[] value) {
            op('U', value.length);
            out.writeBytes(value);
            return this;
        }

        Pickle int1(int value) {
            return op('K', value);
        }

        private Pickle text(String value) {
            out.writeBytes(value.getBytes(StandardCharsets.ISO_8859_1));
            return this;
        }

        Path write(Path file) throws Exception {
            return Files.write(file, out.toByteArray());
        }
    }

    /** {'data': uint8 array [[1, 2, 3], [4, 5, 6]], 'fine_labels': [7, 8]}, cPickle style. */
    private static Pickle python2Dict() {
        Pickle p = new Pickle().op(0x80, 2, '}', 'q', 1, '(');
        p.shortString("data").op('q', 2);
        p.global("numpy.core.multiarray", "_reconstruct").op('q', 3);
        p.global("numpy", "ndarray").op('q', 4);
        p.int1(0).op(0x85).shortString("b").op(0x87, 'R', 'q', 5);
        // State: (1, (2, 3), dtype('u1'), False, raw bytes).
        p.op('(').int1(1).int1(2).int1(3).op(0x86);
        p.global("numpy", "dtype").shortString("u1").int1(0).int1(1).op(0x87, 'R', 'q', 6);
        p.op('(').int1(3).shortString("|").op('N', 'N', 'N');
        p.op('J', 0xff, 0xff, 0xff, 0xff, 'J', 0xff, 0xff, 0xff, 0xff).int1(0).op('t', 'b');
        p.op(0x89).shortBytes(new byte[] {1, 2, 3, 4, 5, 6}).op('t', 'b');
        p.shortString("fine_labels").op(']', 'q', 7, '(').int1(7).int1(8).op('e');
        return p.op('u', '.');
    }

    @Test
    void load_python2StyleDict_buildsArrayAndLists() throws Exception {
        Path file = python2Dict().write(dir.resolve("train"));

        Object value = Unpickler.load(file);

        assertThat(value).isInstanceOf(Map.class);
        Map<?, ?> dict = (Map<?, ?>) value;
        NumpyArray data = (NumpyArray) dict.get("data");
        assertThat(data.dtype()).isEqualTo(NumpyArray.DType.UINT8);
        assertThat(data.shape()).containsExactly(2, 3);
        assertThat(data.longAt(5)).isEqualTo(6);
        assertThat(dict.get("fine_labels")).isEqualTo(List.of(7L, 8L));
    }

    @Test
    void load_python3Fixture_decodesCodecsEncodedBytes() throws Exception {
        Path file = TestData.resource("cifar-100-python-tiny/test");

        Map<?, ?> dict = (Map<?, ?>) Unpickler.load(file);

        assertThat(dict.keySet().stream().map(String::valueOf).toList())
                .containsExactly(
                        "filenames", "batch_label", "fine_labels", "coarse_labels", "data");
        assertThat(dict.get("batch_label")).isEqualTo("testing batch 1 of 1");
        assertThat(((NumpyArray) dict.get("data")).longAt(3072 + 250)).isEqualTo(1);
    }

    @Test
    void load_osSystemGlobal_isRefused() throws Exception {
        Path file =
                new Pickle()
                        .op(0x80, 2)
                        .global("os", "system")
                        .shortString("echo hi")
                        .op(0x85, 'R', '.')
                        .write(dir.resolve("evil"));

        DatasetException e = assertThrows(DatasetException.class, () -> Unpickler.load(file));

        assertThat(e)
                .hasMessageContaining(file + " at byte 2")
                .hasMessageContaining("found 'os.system', refused for safety");
    }

    @Test
    void load_protocol4_isRefused() throws Exception {
        Path file = new Pickle().op(0x80, 4, 'N', '.').write(dir.resolve("p4"));

        DatasetException e = assertThrows(DatasetException.class, () -> Unpickler.load(file));

        assertThat(e).hasMessageContaining("expected pickle protocol 2 or lower, found protocol 4");
    }

    @Test
    void load_unsupportedOpcode_isRefusedWithOffset() throws Exception {
        // 'i' (INST) builds an instance of a named class.
        Path file =
                new Pickle()
                        .op(0x80, 2, '(')
                        .op('i')
                        .text("os\nsystem\n")
                        .write(dir.resolve("inst"));

        DatasetException e = assertThrows(DatasetException.class, () -> Unpickler.load(file));

        assertThat(e).hasMessageContaining("at byte 3").hasMessageContaining("opcode 0x69 ('i')");
    }

    @Test
    void load_stringLongerThanFile_isRefusedBeforeAllocating() throws Exception {
        Path file =
                new Pickle().op(0x80, 2, 'T', 0x00, 0xca, 0x9a, 0x3b).write(dir.resolve("long"));

        DatasetException e = assertThrows(DatasetException.class, () -> Unpickler.load(file));

        assertThat(e).hasMessageContaining("found a length of 1000000000");
    }

    @Test
    void load_missingStop_isTruncated() throws Exception {
        Path file = new Pickle().op(0x80, 2, ']').int1(1).write(dir.resolve("cut"));

        DatasetException e = assertThrows(DatasetException.class, () -> Unpickler.load(file));

        assertThat(e)
                .hasMessage(
                        file
                                + " at byte 5: expected more pickle data, found the end of"
                                + " the file (truncated)");
    }
}
