package io.depthlab.trainer.data;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

/**
 * A labelled set of 8-bit images held in memory: {@code count} examples, each {@code channels x
 * height x width} unsigned bytes in NCHW order (all of channel 0 row by row, then channel 1, ...),
 * each with a label in {@code [0, classCount())}.
 *
 * <p>Instances are immutable and safe to share between threads. To keep a 150 MB set from being
 * copied on the way in, {@link #of} takes ownership of the arrays it is given: the caller must not
 * change them afterwards. Accessors hand out copies or read-only views.
 */
public final class ImageSet {

    private final int count;
    private final int channels;
    private final int height;
    private final int width;
    private final byte[] pixels;
    private final int[] labels;
    private final List<String> classNames;

    private ImageSet(
            int channels,
            int height,
            int width,
            byte[] pixels,
            int[] labels,
            List<String> classNames) {
        this.count = labels.length;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.pixels = pixels;
        this.labels = labels;
        this.classNames = classNames;
    }

    /**
     * Creates a set of {@code labels.length} examples.
     *
     * @param channels channels per image, at least 1 (1 for grey, 3 for RGB)
     * @param height rows per image, at least 1
     * @param width columns per image, at least 1
     * @param pixels {@code labels.length * channels * height * width} bytes, NCHW per example;
     *     owned by the set from now on
     * @param labels one label per example, each in {@code [0, classNames.size())}; owned by the set
     *     from now on
     * @param classNames the name of each class, index = label; at least one
     * @throws IllegalArgumentException if a size does not match or a label is out of range
     */
    public static ImageSet of(
            int channels,
            int height,
            int width,
            byte[] pixels,
            int[] labels,
            List<String> classNames) {
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(labels, "labels");
        List<String> names = List.copyOf(Objects.requireNonNull(classNames, "classNames"));
        checkPositive(channels, "channels");
        checkPositive(height, "height");
        checkPositive(width, "width");
        if (names.isEmpty()) {
            throw new IllegalArgumentException("expected at least one class name, found none");
        }
        long expected = (long) labels.length * channels * height * width;
        if (pixels.length != expected) {
            throw new IllegalArgumentException(
                    String.format(
                            "expected %d pixel bytes for %d images of %dx%dx%d, found %d",
                            expected, labels.length, channels, height, width, pixels.length));
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= names.size()) {
                throw new IllegalArgumentException(
                        String.format(
                                "example %d: expected a label in [0, %d), found %d",
                                i, names.size(), labels[i]));
            }
        }
        return new ImageSet(channels, height, width, pixels, labels, names);
    }

    private static void checkPositive(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(
                    "expected " + name + " of at least 1, found " + value);
        }
    }

    /** Number of examples, at least 0. */
    public int count() {
        return count;
    }

    /** Channels per image: 1 for grey, 3 for RGB. */
    public int channels() {
        return channels;
    }

    /** Rows per image. */
    public int height() {
        return height;
    }

    /** Columns per image. */
    public int width() {
        return width;
    }

    /** Bytes per example: {@code channels * height * width}. */
    public int exampleSize() {
        return channels * height * width;
    }

    /** Number of classes, which is the number of class names; labels lie below it. */
    public int classCount() {
        return classNames.size();
    }

    /** The class names, index = label; immutable. */
    public List<String> classNames() {
        return classNames;
    }

    /** The label of example {@code index}, in {@code [0, classCount())}. */
    public int label(int index) {
        Objects.checkIndex(index, count);
        return labels[index];
    }

    /** A copy of all labels, in example order. */
    public int[] labels() {
        return labels.clone();
    }

    /**
     * A read-only view of all pixels, {@code count() * exampleSize()} bytes, example after example
     * in NCHW order. Bytes are unsigned: read them with {@code Byte.toUnsignedInt}.
     */
    public ByteBuffer pixels() {
        return ByteBuffer.wrap(pixels).asReadOnlyBuffer();
    }

    /** A copy of the {@code exampleSize()} pixel bytes of example {@code index}. */
    public byte[] example(int index) {
        Objects.checkIndex(index, count);
        byte[] copy = new byte[exampleSize()];
        System.arraycopy(pixels, index * exampleSize(), copy, 0, copy.length);
        return copy;
    }

    /**
     * A new set holding the examples at {@code indices}, in that order. An index may appear more
     * than once (as in a bootstrap sample); the class names stay the same.
     *
     * @throws IndexOutOfBoundsException if an index is outside {@code [0, count())}
     */
    public ImageSet subset(int[] indices) {
        Objects.requireNonNull(indices, "indices");
        int size = exampleSize();
        byte[] subsetPixels = new byte[Math.multiplyExact(indices.length, size)];
        int[] subsetLabels = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            int source = Objects.checkIndex(indices[i], count);
            System.arraycopy(pixels, source * size, subsetPixels, i * size, size);
            subsetLabels[i] = labels[source];
        }
        return new ImageSet(channels, height, width, subsetPixels, subsetLabels, classNames);
    }

    /** The backing pixel array, for readers in this package that promise not to change it. */
    byte[] pixelArray() {
        return pixels;
    }

    @Override
    public String toString() {
        return String.format(
                "ImageSet[%d x %dx%dx%d, %d classes]",
                count, channels, height, width, classCount());
    }
}
