package io.depthlab.dsl;

import java.util.Locale;
import java.util.Objects;

/**
 * Max or average pooling over windows of each channel. Average pooling divides by the whole window,
 * padding included.
 *
 * @param name the layer name, empty until the network names it
 * @param mode max or average
 * @param kernelHeight the window height
 * @param kernelWidth the window width
 * @param strideHeight the vertical stride
 * @param strideWidth the horizontal stride
 * @param paddingHeight zero rows added above and below
 * @param paddingWidth zero columns added left and right
 */
public record Pool2d(
        String name,
        Mode mode,
        int kernelHeight,
        int kernelWidth,
        int strideHeight,
        int strideWidth,
        int paddingHeight,
        int paddingWidth)
        implements Layer {

    /** What a window is reduced to. */
    public enum Mode {
        MAX,
        AVERAGE
    }

    /**
     * Checks every component. The static factory and its builder are the usual way to make this
     * layer; the constructor serves code that converts layers, such as {@link NetworkProtos}.
     *
     * @throws IllegalArgumentException naming the component, the expected range and the value
     */
    public Pool2d {
        Checks.name(name);
        Objects.requireNonNull(mode, "mode");
        Checks.positive(kernelHeight, "pooling kernel height");
        Checks.positive(kernelWidth, "pooling kernel width");
        Checks.positive(strideHeight, "pooling stride");
        Checks.positive(strideWidth, "pooling stride");
        Checks.nonNegative(paddingHeight, "pooling padding");
        Checks.nonNegative(paddingWidth, "pooling padding");
        // As in PyTorch: a wider padding would make windows that see only padding.
        if (paddingHeight > kernelHeight / 2 || paddingWidth > kernelWidth / 2) {
            throw new IllegalArgumentException(
                    String.format(
                            "pooling padding: expected at most half the kernel (%d x %d), found"
                                    + " %d x %d",
                            kernelHeight / 2, kernelWidth / 2, paddingHeight, paddingWidth));
        }
    }

    /** Max pooling over {@code size x size} windows; the stride defaults to the size. */
    public static Builder max(int size) {
        return new Builder(Mode.MAX, Checks.positive(size, "pooling kernel size"));
    }

    /** Average pooling over {@code size x size} windows; the stride defaults to the size. */
    public static Builder average(int size) {
        return new Builder(Mode.AVERAGE, Checks.positive(size, "pooling kernel size"));
    }

    @Override
    public String kind() {
        return mode.name().toLowerCase(Locale.ROOT) + "_pool";
    }

    @Override
    public Pool2d withName(String name) {
        return new Pool2d(
                name,
                mode,
                kernelHeight,
                kernelWidth,
                strideHeight,
                strideWidth,
                paddingHeight,
                paddingWidth);
    }

    @Override
    public Shape outputShape(Shape input) {
        Checks.image(input, kind());
        int height =
                Checks.windowOutput(
                        input.dim(1), kernelHeight, strideHeight, paddingHeight, kind(), "height");
        int width =
                Checks.windowOutput(
                        input.dim(2), kernelWidth, strideWidth, paddingWidth, kind(), "width");
        return Shape.of(input.dim(0), height, width);
    }

    /** Optional properties of a pooling layer; each may be set once. */
    public static final class Builder implements Layer.Builder {
        private final Mode mode;
        private final int size;
        private String name;
        private Integer stride;
        private Integer padding;

        private Builder(Mode mode, int size) {
            this.mode = mode;
            this.size = size;
        }

        /**
         * The layer name, unique in the network, without '.' or '/' (parameter tensors are named
         * {@code <layer>.<role>}); default: {@code <kind>_<n>}, given when the network is built.
         */
        public Builder name(String name) {
            Checks.unset(this.name, "pooling name");
            this.name = Checks.name(name);
            return this;
        }

        /** The same stride on both axes; default: the window size. */
        public Builder stride(int stride) {
            Checks.unset(this.stride, "pooling stride");
            this.stride = Checks.positive(stride, "pooling stride");
            return this;
        }

        /** Zero rows and columns on every side, at most half the window size; default 0. */
        public Builder padding(int padding) {
            Checks.unset(this.padding, "pooling padding");
            this.padding = Checks.nonNegative(padding, "pooling padding");
            return this;
        }

        @Override
        public Pool2d build() {
            int s = stride == null ? size : stride;
            int p = padding == null ? 0 : padding;
            return new Pool2d(name == null ? "" : name, mode, size, size, s, s, p, p);
        }
    }
}
