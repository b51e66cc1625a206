package io.depthlab.trainer.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NativeMemoryTest {

    @Test
    void missing_namesUnsetAndDifferentSettings() {
        Map<String, String> environment = new HashMap<>(NativeMemory.SETTINGS);
        environment.remove("MALLOC_TOP_PAD_");
        environment.put("MALLOC_TRIM_THRESHOLD_", "131072");

        assertThat(NativeMemory.missing(environment::get))
                .containsExactly("MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_");
        assertThat(NativeMemory.missing(NativeMemory.SETTINGS::get)).isEmpty();
    }

    @Test
    void shellLine_listsEverySettingInOrder() {
        assertThat(NativeMemory.shellLine())
                .isEqualTo(
                        "MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=4294967296"
                                + " MALLOC_TOP_PAD_=268435456");
    }

    /** The build's test JVMs start with the settings (pom.xml), so tests run as users do. */
    @Test
    void testJvm_startedWithTheSettings() {
        assertThat(NativeMemory.missing(System::getenv)).isEmpty();
        assertThat(NativeMemory.advice()).isEmpty();
    }

    /** Every launcher sets each variable to the value the class documents. */
    @Test
    void launchers_setTheSameValues() throws IOException {
        Path home = Path.of(System.getProperty("depthlab.home", "../.."));
        String script = Files.readString(home.resolve("depthlab"));
        String image = Files.readString(home.resolve("deploy/Dockerfile"));

        NativeMemory.SETTINGS.forEach(
                (name, value) -> {
                    assertThat(script).contains(name + "=\"${" + name + ":-" + value + "}\"");
                    assertThat(image).contains(name + "=" + value);
                });
        assertThat(script).contains("exec java " + NativeMemory.JVM_OPTIONS + " ");
        assertThat(image).contains("[\"java\", \"" + NativeMemory.JVM_OPTIONS + "\",");
    }
}
