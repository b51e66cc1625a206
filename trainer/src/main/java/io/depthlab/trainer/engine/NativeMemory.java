package io.depthlab.trainer.engine;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The glibc allocator settings the engine runs best with, and a check that a process started with
 * them. They are environment variables, read by glibc once when the process starts, so the
 * launchers set them ({@code ./depthlab}, the container image, the benchmark's workers, the test
 * JVMs); a program that embeds the trainer should set them in its own start script.
 *
 * <p>Why: libnd4j and oneDNN allocate their temporaries (the reorder buffers of every convolution,
 * the results of ops that return new arrays) with {@code malloc}, megabytes at a time and several
 * times per layer. With glibc's defaults, memory freed at the top of the heap and every block over
 * the adaptive mmap threshold goes back to the system, so the next allocation faults its pages in
 * again: about 3 us per 4 KiB page on the development machine, 10 ms for one 13 MB batch of
 * activations, longer than the convolution that fills it. Keeping freed memory in the process (no
 * trimming, no mmap for blocks under 1 GiB, heap grown 256 MiB at a time) made VGG-38 training
 * about 1.4 x and its inference about 1.3 x faster at the same peak memory in an A/B run
 * (BENCHMARKS.md).
 */
public final class NativeMemory {
    /**
     * The JVM option the launchers add: a 32 MB young generation. ND4J's array handles are small
     * Java objects that keep native buffers (tens of megabytes per training step of a deep VGG)
     * until the garbage collector frees them; with the default sizing a young collection came every
     * few dozen steps, and VGG-68 training peaked at 1.43 GB instead of 1.29 GB.
     */
    public static final String JVM_OPTIONS = "-Xmn32m";

    /** Variable name to value, in the order a shell line lists them. */
    public static final Map<String, String> SETTINGS = settings();

    private NativeMemory() {}

    /** The settings missing from, or different in, the environment that {@code getenv} reads. */
    public static List<String> missing(Function<String, String> getenv) {
        return SETTINGS.entrySet().stream()
                .filter(setting -> !setting.getValue().equals(getenv.apply(setting.getKey())))
                .map(Map.Entry::getKey)
                .toList();
    }

    /**
     * A one-line warning for a user when this process started without the settings, naming the
     * missing ones and the line that sets them; empty when all are in force.
     */
    public static Optional<String> advice() {
        List<String> missing = missing(System::getenv);
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(
                "started without the allocator settings "
                        + String.join(", ", missing)
                        + ": convolutional networks train about 1.4 x slower (page faults on"
                        + " every new native buffer); ./depthlab sets them, or start Java with: "
                        + shellLine());
    }

    /** {@code NAME=value NAME=value ...}, for a start script. */
    public static String shellLine() {
        StringBuilder line = new StringBuilder();
        SETTINGS.forEach(
                (name, value) -> line.append(line.isEmpty() ? "" : " ").append(name + "=" + value));
        return line.toString();
    }

    private static Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>();
        // Blocks up to 1 GiB come from the heap, never from a fresh mmap.
        settings.put("MALLOC_MMAP_THRESHOLD_", "1073741824");
        // Freed memory is never handed back by trimming the heap's top.
        settings.put("MALLOC_TRIM_THRESHOLD_", "4294967296");
        // Grow the heap in large steps; untouched pages cost no resident memory.
        settings.put("MALLOC_TOP_PAD_", "268435456");
        return Collections.unmodifiableMap(settings);
    }
}
