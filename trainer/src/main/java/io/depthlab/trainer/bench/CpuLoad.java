package io.depthlab.trainer.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How much of the machine other processes use, from {@code /proc/stat} (all CPUs) and {@code
 * /proc/self/stat} (this process, every thread). Timings on a shared machine are only comparable
 * when measured while the others are quiet, so the benchmark waits for that, as the PyTorch anchor
 * does with the same rule: other load below 10 % of the CPUs over a one-second probe.
 */
final class CpuLoad {
    /** The largest share of the CPUs others may use for a timing to count as clean. */
    static final double CLEAN_LIMIT = 0.10;

    /** Jiffies: all CPUs together, their busy part (steal included), and this process's. */
    record Sample(long total, long busy, long own) {}

    private CpuLoad() {}

    static Sample sample() {
        String[] cpu = firstLine(Path.of("/proc/stat")).trim().split("\\s+");
        long total = 0;
        // user nice system idle iowait irq softirq steal
        for (int i = 1; i <= 8; i++) {
            total += Long.parseLong(cpu[i]);
        }
        long busy = total - Long.parseLong(cpu[4]) - Long.parseLong(cpu[5]);
        String self = firstLine(Path.of("/proc/self/stat"));
        // Fields after the command name, which may contain spaces: utime and stime are 12th, 13th.
        String[] fields = self.substring(self.lastIndexOf(')') + 2).split(" ");
        long own = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return new Sample(total, busy, own);
    }

    /** The share of the machine's CPU time that other processes used between two samples. */
    static double foreignShare(Sample from, Sample to) {
        long total = to.total() - from.total();
        if (total <= 0) {
            return 0;
        }
        double foreign = (to.busy() - from.busy()) - (to.own() - from.own());
        return Math.max(0, foreign / total);
    }

    /**
     * Waits until others use less than {@link #CLEAN_LIMIT} of the CPUs over one second, or {@code
     * maxWait} has passed.
     *
     * @return the seconds waited
     */
    static double waitForQuiet(Duration maxWait) throws InterruptedException {
        long start = System.nanoTime();
        while (true) {
            Sample before = sample();
            Thread.sleep(1000);
            double share = foreignShare(before, sample());
            double waited = (System.nanoTime() - start) / 1e9;
            if (share < CLEAN_LIMIT || waited >= maxWait.toSeconds()) {
                return waited;
            }
            Thread.sleep(2000);
        }
    }

    /** This process's peak resident memory in MiB, {@code VmHWM} of {@code /proc/self/status}. */
    static double peakResidentMib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("/proc/self/status: expected a VmHWM line, found none");
    }

    private static String firstLine(Path path) {
        try (var lines = Files.lines(path)) {
            return lines.findFirst()
                    .orElseThrow(() -> new IllegalStateException(path + ": expected a line"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
