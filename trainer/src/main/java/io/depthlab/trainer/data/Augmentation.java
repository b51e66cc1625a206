package io.depthlab.trainer.data;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Random training-time augmentation of 8-bit images: a random crop of the original size from the
 * image padded with zeros on every side, then a random horizontal flip (mirror left to right). This
 * is the CIFAR recipe of the study (crop 32 with 4 pixels of padding, flip with probability 1/2);
 * use it for training only, never for validation or test.
 *
 * <p>Zero padding is applied to the raw bytes, before normalisation, so the border is black, as in
 * the usual image pipelines. The random choices come from the {@link SplittableRandom} the caller
 * passes; {@link BatchIterator} derives it from {@link #seed()}, the epoch and the batch, so that
 * every epoch is reproducible. Immutable and thread-safe.
 */
public final class Augmentation {

    /** Default padding, in pixels on each side: {@value}. */
    public static final int DEFAULT_PADDING = 4;

    private final int padding;
    private final boolean flip;
    private final long seed;

    private Augmentation(int padding, boolean flip, long seed) {
        this.padding = padding;
        this.flip = flip;
        this.seed = seed;
    }

    /** The study's recipe: crop with {@value #DEFAULT_PADDING} pixels of padding, and flip. */
    public static Augmentation cropAndFlip(long seed) {
        return of(DEFAULT_PADDING, true, seed);
    }

    /**
     * An augmentation with explicit settings.
     *
     * @param padding zero pixels added on each side before cropping; 0 disables the crop
     * @param flip whether to mirror half of the images left to right
     * @param seed the seed that batch iterators derive their random streams from
     */
    public static Augmentation of(int padding, boolean flip, long seed) {
        if (padding < 0) {
            throw new IllegalArgumentException(
                    "expected a padding of at least 0 pixels, found " + padding);
        }
        return new Augmentation(padding, flip, seed);
    }

    /** Zero pixels added on each side before the crop. */
    public int padding() {
        return padding;
    }

    /** Whether half of the images are mirrored. */
    public boolean flip() {
        return flip;
    }

    /** The seed random streams are derived from. */
    public long seed() {
        return seed;
    }

    /**
     * The random stream for one batch of one epoch: a pure function of {@link #seed()}, {@code
     * epoch} and {@code batch}, so epochs can be replayed or resumed.
     */
    public SplittableRandom random(long epoch, long batch) {
        return new SplittableRandom(Seeds.derive(seed, epoch, batch));
    }

    /**
     * Writes an augmented copy of example {@code index} of {@code set} to {@code dst}. Draws, in
     * this order, the vertical and the horizontal crop offsets (each uniform in {@code [0, 2 *
     * padding]}) and, if flipping is on, a fair coin.
     *
     * @param dst receives {@code set.exampleSize()} bytes at {@code dstOffset}
     */
    public void apply(ImageSet set, int index, byte[] dst, int dstOffset, SplittableRandom random) {
        Objects.requireNonNull(random, "random");
        int dy = padding == 0 ? 0 : random.nextInt(2 * padding + 1);
        int dx = padding == 0 ? 0 : random.nextInt(2 * padding + 1);
        boolean mirror = flip && random.nextBoolean();
        int size = set.exampleSize();
        Objects.checkIndex(index, set.count());
        Objects.checkFromIndexSize(dstOffset, size, dst.length);
        copyShifted(
                set.pixelArray(),
                index * size,
                dst,
                dstOffset,
                set.channels(),
                set.height(),
                set.width(),
                dy - padding,
                dx - padding,
                mirror);
    }

    /**
     * Crops an image padded with {@code padding} zeros on each side at offset ({@code dy}, {@code
     * dx}) of the padded image; (padding, padding) gives the image back unchanged.
     *
     * @param image {@code channels * height * width} bytes, NCHW
     * @param dy top row of the crop in the padded image, in {@code [0, 2 * padding]}
     * @param dx left column of the crop in the padded image, in {@code [0, 2 * padding]}
     * @return a new image of the same shape
     */
    public static byte[] crop(
            byte[] image, int channels, int height, int width, int padding, int dy, int dx) {
        checkShape(image, channels, height, width);
        if (padding < 0 || dy < 0 || dx < 0 || dy > 2 * padding || dx > 2 * padding) {
            throw new IllegalArgumentException(
                    String.format(
                            "expected offsets in [0, %d] for padding %d, found dy %d and dx %d",
                            2 * padding, padding, dy, dx));
        }
        byte[] result = new byte[image.length];
        copyShifted(
                image, 0, result, 0, channels, height, width, dy - padding, dx - padding, false);
        return result;
    }

    /**
     * Mirrors an image left to right; flipping twice gives the image back.
     *
     * @param image {@code channels * height * width} bytes, NCHW
     * @return a new image of the same shape
     */
    public static byte[] flipHorizontal(byte[] image, int channels, int height, int width) {
        checkShape(image, channels, height, width);
        byte[] result = new byte[image.length];
        copyShifted(image, 0, result, 0, channels, height, width, 0, 0, true);
        return result;
    }

    private static void checkShape(byte[] image, int channels, int height, int width) {
        Objects.requireNonNull(image, "image");
        if (channels < 1 || height < 1 || width < 1 || image.length != channels * height * width) {
            throw new IllegalArgumentException(
                    String.format(
                            "expected %d bytes for a %dx%dx%d image, found %d",
                            channels * height * width, channels, height, width, image.length));
        }
    }

    /**
     * Writes {@code dst(c, y, x) = src(c, y + shiftY, x' + shiftX)}, with {@code x' = width - 1 -
     * x} when mirroring and {@code x} otherwise, and 0 where the source lies outside the image.
     */
    private static void copyShifted(
            byte[] src,
            int srcOffset,
            byte[] dst,
            int dstOffset,
            int channels,
            int height,
            int width,
            int shiftY,
            int shiftX,
            boolean mirror) {
        int plane = height * width;
        for (int c = 0; c < channels; c++) {
            int srcPlane = srcOffset + c * plane;
            int dstPlane = dstOffset + c * plane;
            for (int y = 0; y < height; y++) {
                int sy = y + shiftY;
                int dstRow = dstPlane + y * width;
                if (sy < 0 || sy >= height) {
                    Arrays.fill(dst, dstRow, dstRow + width, (byte) 0);
                    continue;
                }
                int srcRow = srcPlane + sy * width;
                for (int x = 0; x < width; x++) {
                    int sx = (mirror ? width - 1 - x : x) + shiftX;
                    dst[dstRow + x] = sx < 0 || sx >= width ? 0 : src[srcRow + sx];
                }
            }
        }
    }

    @Override
    public String toString() {
        return "Augmentation[padding=" + padding + ", flip=" + flip + ", seed=" + seed + "]";
    }
}
