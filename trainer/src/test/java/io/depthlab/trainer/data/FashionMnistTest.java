package io.depthlab.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FashionMnistTest {

    @Test
    void load_debianPackage_hasOfficialCountsAndFirstLabels() throws Exception {
        assumeTrue(
                Files.isDirectory(FashionMnist.DEBIAN_DIR),
                FashionMnist.DEBIAN_DIR
                        + " is missing (apt-get install dataset-fashion-mnist):"
                        + " skipping");

        Dataset data = FashionMnist.load(FashionMnist.DEBIAN_DIR);

        assertThat(data.train().count()).isEqualTo(60_000);
        assertThat(data.test().count()).isEqualTo(10_000);
        assertThat(data.train().classNames().get(9)).isEqualTo("Ankle boot");
        // First labels as read from the same files with Python's gzip module.
        assertThat(Arrays.copyOf(data.train().labels(), 6)).containsExactly(9, 0, 0, 3, 0, 2);
        assertThat(Arrays.copyOf(data.test().labels(), 6)).containsExactly(9, 2, 1, 1, 6, 1);
    }
}
