package io.depthlab.trainer.data;

import io.depthlab.proto.bundle.Preprocessing;
import java.util.Arrays;
import java.util.Objects;

/**
 * Turns raw 8-bit pixels into network input: {@code x = (raw * scale - mean[c]) / std[c]}, with
 * {@code c} the channel of the pixel. This is exactly the model bundle's {@code Preprocessing}
 * message, so the trainer and the server compute the same input.
 *
 * <p>Either one mean and std per channel, or a single pair used for every channel (grey images, or
 * flat vectors). Immutable and thread-safe.
 */
public final class Normalization {

    /** The usual scale: raw bytes 0..255 to 0..1. */
    public static final float DEFAULT_SCALE = 1f / 255f;

    // Per-channel statistics of the CIFAR training images used by the study (REFERENCE.md,
    // section 1), after scaling to 0..1.
    private static final float[] CIFAR_STUDY_MEAN = {0.4914f, 0.4822f, 0.4465f};
    private static final float[] CIFAR_STUDY_STD = {0.2023f, 0.1994f, 0.2010f};

    private final float scale;
    private final float[] mean;
    private final float[] std;
    // Precomputed so the hot loop is one multiply-add: x = raw * gain[c] + offset[c]. It can
    // differ from the bundle's formula by a float rounding step (relative 1e-7), far below the
    // noise of training.
    private final float[] gain;
    private final float[] offset;

    private Normalization(float scale, float[] mean, float[] std) {
        this.scale = scale;
        this.mean = mean;
        this.std = std;
        this.gain = new float[mean.length];
        this.offset = new float[mean.length];
        for (int c = 0; c < mean.length; c++) {
            gain[c] = (float) ((double) scale / std[c]);
            offset[c] = (float) (-(double) mean[c] / std[c]);
        }
    }

    /**
     * Creates a normalisation.
     *
     * @param scale positive and finite, usually {@link #DEFAULT_SCALE}
     * @param mean one value per channel, or one for all; finite
     * @param std as many values as {@code mean}; positive and finite
     */
    public static Normalization of(float scale, float[] mean, float[] std) {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(std, "std");
        if (!(scale > 0) || !Float.isFinite(scale)) {
            throw new IllegalArgumentException("expected a positive finite scale, found " + scale);
        }
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException(
                    String.format(
                            "expected as many std values as mean values (at least one), found"
                                    + " %d mean and %d std",
                            mean.length, std.length));
        }
        for (int c = 0; c < mean.length; c++) {
            if (!Float.isFinite(mean[c]) || !(std[c] > 0) || !Float.isFinite(std[c])) {
                throw new IllegalArgumentException(
                        String.format(
                                "channel %d: expected a finite mean and a positive finite std,"
                                        + " found mean %s and std %s",
                                c, mean[c], std[c]));
            }
        }
        return new Normalization(scale, mean.clone(), std.clone());
    }

    /** Only scales: {@code x = raw * scale} (mean 0, std 1 for every channel). */
    public static Normalization scaleOnly(float scale) {
        return of(scale, new float[] {0f}, new float[] {1f});
    }

    /**
     * The CIFAR-100 study's normalisation: scale 1/255, mean (0.4914, 0.4822, 0.4465), std (0.2023,
     * 0.1994, 0.2010), per RGB channel.
     *
     * <p>These are the widely copied CIFAR-10 constants, not statistics of CIFAR-100: {@link #fit}
     * on CIFAR-100 gives about mean (0.51, 0.49, 0.44) and std (0.27, 0.26, 0.28). Use this to
     * reproduce the study; otherwise fit on the training part.
     */
    public static Normalization cifarStudy() {
        return of(DEFAULT_SCALE, CIFAR_STUDY_MEAN, CIFAR_STUDY_STD);
    }

    /**
     * Computes the mean and the population standard deviation of each channel of {@code set}, after
     * scaling by {@link #DEFAULT_SCALE}. Fit on the training part only, then apply the result to
     * validation and test data. Exact: it counts byte values, then sums in doubles.
     *
     * @throws IllegalArgumentException if the set is empty or a channel is constant
     */
    public static Normalization fit(ImageSet set) {
        Objects.requireNonNull(set, "set");
        if (set.count() == 0) {
            throw new IllegalArgumentException("expected a non-empty set to fit, found none");
        }
        long[][] histogram = histogram(set);
        int channels = set.channels();
        float[] mean = new float[channels];
        float[] std = new float[channels];
        double n = (double) set.count() * set.height() * set.width();
        for (int c = 0; c < channels; c++) {
            double sum = 0;
            double squares = 0;
            for (int v = 0; v < 256; v++) {
                sum += (double) v * histogram[c][v];
                squares += (double) v * v * histogram[c][v];
            }
            double rawMean = sum / n;
            double rawVariance = Math.max(0, squares / n - rawMean * rawMean);
            mean[c] = (float) (rawMean * DEFAULT_SCALE);
            std[c] = (float) (Math.sqrt(rawVariance) * DEFAULT_SCALE);
            if (!(std[c] > 0)) {
                throw new IllegalArgumentException(
                        "channel "
                                + c
                                + ": expected varying pixels to fit a std, found all "
                                + (int) rawMean);
            }
        }
        return of(DEFAULT_SCALE, mean, std);
    }

    private static long[][] histogram(ImageSet set) {
        byte[] pixels = set.pixelArray();
        int plane = set.height() * set.width();
        long[][] histogram = new long[set.channels()][256];
        for (int example = 0; example < set.count(); example++) {
            for (int c = 0; c < set.channels(); c++) {
                long[] counts = histogram[c];
                int start = (example * set.channels() + c) * plane;
                for (int i = start; i < start + plane; i++) {
                    counts[pixels[i] & 0xff]++;
                }
            }
        }
        return histogram;
    }

    /**
     * Reads a bundle's {@code Preprocessing} message.
     *
     * @throws IllegalArgumentException if the scale, means or stds are invalid
     */
    public static Normalization fromProto(Preprocessing proto) {
        Objects.requireNonNull(proto, "proto");
        float[] mean = new float[proto.getMeanCount()];
        float[] std = new float[proto.getStdCount()];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = proto.getMean(i);
        }
        for (int i = 0; i < std.length; i++) {
            std[i] = proto.getStd(i);
        }
        return of(proto.getScale(), mean, std);
    }

    /**
     * Writes this normalisation as a bundle's {@code Preprocessing} message.
     *
     * @param layout how raw examples are laid out, e.g. {@link Dataset#layout()}
     * @param inputShape the shape of one raw example without the batch dimension, e.g. {@code 3,
     *     32, 32}; its first dimension must match the channel count unless there is one mean
     */
    public Preprocessing toProto(String layout, int... inputShape) {
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(inputShape, "inputShape");
        if (inputShape.length == 0) {
            throw new IllegalArgumentException("expected an input shape, found none");
        }
        checkChannels(inputShape[0]);
        Preprocessing.Builder builder =
                Preprocessing.newBuilder().setScale(scale).setLayout(layout);
        for (int dimension : inputShape) {
            builder.addInputShape(dimension);
        }
        for (int c = 0; c < mean.length; c++) {
            builder.addMean(mean[c]).addStd(std[c]);
        }
        return builder.build();
    }

    /** The factor applied to raw values before the mean is subtracted. */
    public float scale() {
        return scale;
    }

    /** A copy of the means, one per channel or one for all. */
    public float[] mean() {
        return mean.clone();
    }

    /** A copy of the standard deviations, one per channel or one for all. */
    public float[] std() {
        return std.clone();
    }

    /** The number of (mean, std) pairs: the channel count, or 1 when one pair serves all. */
    public int channelCount() {
        return mean.length;
    }

    /**
     * Checks that this normalisation fits images of {@code channels} channels.
     *
     * @throws IllegalArgumentException if it has per-channel values for another channel count
     */
    public void checkChannels(int channels) {
        if (mean.length != 1 && mean.length != channels) {
            throw new IllegalArgumentException(
                    String.format(
                            "expected a normalisation for %d channels (or one for all), found"
                                    + " %d per-channel values",
                            channels, mean.length));
        }
    }

    /** Normalises one raw value (0..255) of channel {@code channel}. */
    public float apply(int raw, int channel) {
        int c = mean.length == 1 ? 0 : Objects.checkIndex(channel, mean.length);
        return raw * gain[c] + offset[c];
    }

    /**
     * Normalises {@code exampleCount} examples of {@code exampleSize} bytes each, from {@code src}
     * into {@code dst}. Each example is {@link #channelCount()} equal planes (NCHW), so {@code
     * exampleSize} must be a multiple of it.
     *
     * @throws IllegalArgumentException if {@code exampleSize} is not a multiple of the channel
     *     count
     * @throws IndexOutOfBoundsException if a range lies outside its array
     */
    public void apply(
            byte[] src,
            int srcOffset,
            float[] dst,
            int dstOffset,
            int exampleCount,
            int exampleSize) {
        if (exampleSize % mean.length != 0) {
            throw new IllegalArgumentException(
                    String.format(
                            "expected an example size that is a multiple of %d channels, found"
                                    + " %d",
                            mean.length, exampleSize));
        }
        int total = Math.multiplyExact(exampleCount, exampleSize);
        Objects.checkFromIndexSize(srcOffset, total, src.length);
        Objects.checkFromIndexSize(dstOffset, total, dst.length);
        int plane = exampleSize / mean.length;
        int s = srcOffset;
        int d = dstOffset;
        for (int example = 0; example < exampleCount; example++) {
            for (int c = 0; c < mean.length; c++) {
                float g = gain[c];
                float o = offset[c];
                for (int end = s + plane; s < end; s++, d++) {
                    dst[d] = (src[s] & 0xff) * g + o;
                }
            }
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Normalization that
                && Float.compare(scale, that.scale) == 0
                && Arrays.equals(mean, that.mean)
                && Arrays.equals(std, that.std);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Float.hashCode(scale) + Arrays.hashCode(mean)) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return String.format(
                "Normalization[scale=%s, mean=%s, std=%s]",
                scale, Arrays.toString(mean), Arrays.toString(std));
    }
}
