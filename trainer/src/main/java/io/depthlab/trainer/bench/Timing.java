package io.depthlab.trainer.bench;

import java.time.Duration;
import java.util.Arrays;

/**
 * Times a repeated action the way the PyTorch anchor does, so that both sides are measured alike: a
 * few warm-up runs, then {@code clamp(budget / fastest warm-up, minReps, maxReps)} timed runs,
 * reported by their median; the whole loop starts once other processes are quiet and is repeated
 * (up to three times, keeping the cleanest) when they were not. One difference: warm-up lasts at
 * least {@value #WARM_UP_SECONDS} s, because the JVM compiles a method only after thousands of
 * calls, and 3 warm-ups and at most 300 timed steps of a 1 ms MLP step would time the Java side
 * interpreted (half the speed, in 3 runs of each); Python runs the same code from the start.
 *
 * @param seconds the timed runs, in order
 * @param foreignShare the share of the machine other processes used during the timed runs
 */
record Timing(double[] seconds, double foreignShare) {
    private static final int ATTEMPTS = 3;

    /** How long each attempt waits for quiet, as the anchor: 120 s; 0 measures at once, once. */
    static Duration maxWait = Duration.ofSeconds(120);

    /** An action that may throw, e.g. one training step. */
    interface Action {
        void run() throws Exception;
    }

    /** The shortest warm-up, in seconds: enough for the JIT compiler to reach the hot paths. */
    static final double WARM_UP_SECONDS = 2;

    static Timing measure(
            Action action, int warmUps, int minReps, double budgetSeconds, int maxReps)
            throws Exception {
        Timing best = null;
        int attempts = maxWait.isZero() ? 1 : ATTEMPTS;
        for (int attempt = 0; attempt < attempts; attempt++) {
            if (!maxWait.isZero()) {
                CpuLoad.waitForQuiet(maxWait);
            }
            CpuLoad.Sample before = CpuLoad.sample();
            double[] seconds = run(action, warmUps, minReps, budgetSeconds, maxReps);
            double share = CpuLoad.foreignShare(before, CpuLoad.sample());
            if (best == null || share < best.foreignShare()) {
                best = new Timing(seconds, share);
            }
            if (share < CpuLoad.CLEAN_LIMIT) {
                break;
            }
        }
        return best;
    }

    private static double[] run(
            Action action, int warmUps, int minReps, double budgetSeconds, int maxReps)
            throws Exception {
        double fastest = Double.MAX_VALUE;
        long warmUpEnd = System.nanoTime() + (long) (WARM_UP_SECONDS * 1e9);
        for (int i = 0; i < warmUps || System.nanoTime() < warmUpEnd; i++) {
            fastest = Math.min(fastest, time(action));
        }
        int reps = (int) Math.max(minReps, Math.min(maxReps, budgetSeconds / fastest));
        double[] seconds = new double[reps];
        for (int i = 0; i < reps; i++) {
            seconds[i] = time(action);
        }
        return seconds;
    }

    private static double time(Action action) throws Exception {
        long start = System.nanoTime();
        action.run();
        return (System.nanoTime() - start) / 1e9;
    }

    /** The median run, in seconds; the mean of the middle two for an even count. */
    double median() {
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /** The fastest run, in seconds. */
    double min() {
        return Arrays.stream(seconds).min().orElseThrow();
    }
}
