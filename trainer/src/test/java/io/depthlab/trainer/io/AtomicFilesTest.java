package io.depthlab.trainer.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir Path dir;

    @Test
    void writeString_existingFile_replacedWithoutLeftovers() throws Exception {
        Path file = dir.resolve("summary.csv");
        Files.writeString(file, "old");

        AtomicFiles.writeString(file, "new");

        assertThat(file).hasContent("new");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    /** Regression: files were private (0600) through Files.createTempFile, whatever the umask. */
    @Test
    void write_newFile_readableLikeAnyNewFile() throws Exception {
        Path plain = Files.writeString(dir.resolve("plain.txt"), "x");
        Path atomic = dir.resolve("model.dlb");

        AtomicFiles.write(atomic, new byte[] {1, 2, 3});

        assertThat(Files.getPosixFilePermissions(atomic))
                .isEqualTo(Files.getPosixFilePermissions(plain))
                .contains(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void write_missingFolder_createsIt() throws Exception {
        Path file = dir.resolve("runs/a/result.json");

        AtomicFiles.writeString(file, "{}");

        assertThat(file).hasContent("{}");
    }
}
