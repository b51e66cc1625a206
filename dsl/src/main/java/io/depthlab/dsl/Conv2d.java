package io.depthlab.dsl;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A 2-D convolution over [channels, height, width] inputs, with explicit zero padding on every side
 * (PyTorch's {@code padding=p}). Weights have shape [filters, channels, kernelHeight, kernelWidth].
 *
 * @param name the layer name, empty until the network names it
 * @param filters the number of output channels
 * @param kernelHeight the kernel height
 * @param kernelWidth the kernel width
 * @param strideHeight the vertical stride
 * @param strideWidth the horizontal stride
 * @param paddingHeight zero rows added above and below
 * @param paddingWidth zero columns added left and right
 * @param bias whether the layer adds one bias per filter
 * @param weightInit how the weights start
 * @param biasInit how the bias starts
 * @param penalties penalties on the weights
 */
public record Conv2d(
        String name,
        int filters,
        int kernelHeight,
        int kernelWidth,
        int strideHeight,
        int strideWidth,
        int paddingHeight,
        int paddingWidth,
        boolean bias,
        Initializer weightInit,
        Initializer biasInit,
        List<Penalty> penalties)
        implements Layer {

    /** The default stride: {@value}. */
    public static final int DEFAULT_STRIDE = 1;

    /** The default padding: {@value}. */
    public static final int DEFAULT_PADDING = 0;

    /** The default weight initializer: He normal. */
    public static final Initializer DEFAULT_WEIGHT_INIT = Initializer.heNormal();

    /** The default bias initializer: zeros. */
    public static final Initializer DEFAULT_BIAS_INIT = Initializer.zeros();

    /**
     * Checks every component. The static factory and its builder are the usual way to make this
     * layer; the constructor serves code that converts layers, such as {@link NetworkProtos}.
     *
     * @throws IllegalArgumentException naming the component, the expected range and the value
     */
    public Conv2d {
        Checks.name(name);
        Checks.positive(filters, "convolution filters");
        Checks.positive(kernelHeight, "convolution kernel height");
        Checks.positive(kernelWidth, "convolution kernel width");
        Checks.positive(strideHeight, "convolution stride");
        Checks.positive(strideWidth, "convolution stride");
        Checks.nonNegative(paddingHeight, "convolution padding");
        Checks.nonNegative(paddingWidth, "convolution padding");
        Objects.requireNonNull(weightInit, "weightInit");
        Objects.requireNonNull(biasInit, "biasInit");
        penalties = Checks.penalties(penalties, "convolution");
    }

    /** Starts a convolution with {@code filters} output channels; its kernel must be set. */
    public static Builder filters(int filters) {
        return new Builder(Checks.positive(filters, "convolution filters"));
    }

    @Override
    public String kind() {
        return "conv2d";
    }

    @Override
    public Conv2d withName(String name) {
        return new Conv2d(
                name,
                filters,
                kernelHeight,
                kernelWidth,
                strideHeight,
                strideWidth,
                paddingHeight,
                paddingWidth,
                bias,
                weightInit,
                biasInit,
                penalties);
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
        return Shape.of(filters, height, width);
    }

    @Override
    public long parameterCount(Shape input) {
        // Exact: a silently wrapped count would pass every later size check.
        long weights = Math.multiplyExact(weightsPerFilter(input), filters);
        return Math.addExact(weights, bias ? filters : 0);
    }

    @Override
    public long flops(Shape input) {
        Shape output = outputShape(input);
        return Math.multiplyExact(Math.multiplyExact(2L, weightsPerFilter(input)), output.size());
    }

    private long weightsPerFilter(Shape input) {
        return Math.multiplyExact((long) input.dim(0) * kernelHeight, kernelWidth);
    }

    /** Optional properties of a convolution; each may be set once, the kernel must be. */
    public static final class Builder implements Layer.Builder {
        private final int filters;
        private String name;
        private int[] kernel;
        private int[] stride;
        private int[] padding;
        private Boolean bias;
        private Initializer weightInit;
        private Initializer biasInit;
        private final List<Penalty> penalties = new ArrayList<>();

        private Builder(int filters) {
            this.filters = filters;
        }

        /**
         * The layer name, unique in the network, without '.' or '/' (parameter tensors are named
         * {@code <layer>.<role>}); default: {@code <kind>_<n>}, given when the network is built.
         */
        public Builder name(String name) {
            Checks.unset(this.name, "convolution name");
            this.name = Checks.name(name);
            return this;
        }

        /** A square kernel {@code size x size}. */
        public Builder kernel(int size) {
            return kernel(size, size);
        }

        /** A {@code height x width} kernel. */
        public Builder kernel(int height, int width) {
            Checks.unset(kernel, "convolution kernel");
            kernel =
                    new int[] {
                        Checks.positive(height, "convolution kernel height"),
                        Checks.positive(width, "convolution kernel width")
                    };
            return this;
        }

        /** The same stride on both axes; default {@value #DEFAULT_STRIDE}. */
        public Builder stride(int stride) {
            return stride(stride, stride);
        }

        /** The vertical and horizontal strides; default {@value #DEFAULT_STRIDE} for both. */
        public Builder stride(int height, int width) {
            Checks.unset(this.stride, "convolution stride");
            this.stride =
                    new int[] {
                        Checks.positive(height, "convolution stride height"),
                        Checks.positive(width, "convolution stride width")
                    };
            return this;
        }

        /** The same padding on every side; default {@value #DEFAULT_PADDING}. */
        public Builder padding(int padding) {
            return padding(padding, padding);
        }

        /**
         * Zero rows above and below ({@code height}) and columns left and right ({@code width});
         * default {@value #DEFAULT_PADDING} for both.
         */
        public Builder padding(int height, int width) {
            Checks.unset(this.padding, "convolution padding");
            this.padding =
                    new int[] {
                        Checks.nonNegative(height, "convolution padding height"),
                        Checks.nonNegative(width, "convolution padding width")
                    };
            return this;
        }

        /** Whether to add a bias per filter; default true. */
        public Builder bias(boolean bias) {
            Checks.unset(this.bias, "convolution bias");
            this.bias = bias;
            return this;
        }

        /** Default {@link #DEFAULT_WEIGHT_INIT}. */
        public Builder weightInit(Initializer weightInit) {
            Checks.unset(this.weightInit, "convolution weightInit");
            this.weightInit = Objects.requireNonNull(weightInit, "weightInit");
            return this;
        }

        /** Default {@link #DEFAULT_BIAS_INIT}. */
        public Builder biasInit(Initializer biasInit) {
            Checks.unset(this.biasInit, "convolution biasInit");
            this.biasInit = Objects.requireNonNull(biasInit, "biasInit");
            return this;
        }

        /** Adds an L1 penalty on this layer's weights (see {@link Penalty}); at most one. */
        public Builder l1(double coefficient) {
            Checks.addPenalty(penalties, Penalty.l1(coefficient));
            return this;
        }

        /** Adds an L2 penalty on this layer's weights (see {@link Penalty}); at most one. */
        public Builder l2(double coefficient) {
            Checks.addPenalty(penalties, Penalty.l2(coefficient));
            return this;
        }

        @Override
        public Conv2d build() {
            if (kernel == null) {
                throw new IllegalStateException(
                        String.format(
                                "convolution%s with %d filters: expected a kernel size, found"
                                        + " none; call kernel(size) or kernel(height, width)",
                                name == null ? "" : " '" + name + "'", filters));
            }
            int[] s = stride == null ? new int[] {DEFAULT_STRIDE, DEFAULT_STRIDE} : stride;
            int[] p = padding == null ? new int[] {DEFAULT_PADDING, DEFAULT_PADDING} : padding;
            return new Conv2d(
                    name == null ? "" : name,
                    filters,
                    kernel[0],
                    kernel[1],
                    s[0],
                    s[1],
                    p[0],
                    p[1],
                    bias == null || bias,
                    weightInit == null ? DEFAULT_WEIGHT_INIT : weightInit,
                    biasInit == null ? DEFAULT_BIAS_INIT : biasInit,
                    penalties);
        }
    }
}
