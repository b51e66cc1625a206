package io.depthlab.trainer.engine.conv;

import io.depthlab.dsl.Conv2d;
import io.depthlab.dsl.Pool2d;

/**
 * The sliding window of a convolution or pooling: kernel size, stride and explicit zero padding on
 * every side (PyTorch's {@code padding=p}), with no dilation.
 *
 * @param kernelHeight rows of the window, at least 1
 * @param kernelWidth columns of the window, at least 1
 * @param strideHeight rows between two window positions, at least 1
 * @param strideWidth columns between two window positions, at least 1
 * @param paddingHeight zero rows added above and below, at least 0
 * @param paddingWidth zero columns added left and right, at least 0
 */
public record Window(
        int kernelHeight,
        int kernelWidth,
        int strideHeight,
        int strideWidth,
        int paddingHeight,
        int paddingWidth) {

    /** libnd4j's data-format argument for NHWC, the engine's image layout. */
    private static final int NHWC = 1;

    /**
     * libnd4j's weight-format argument for [filters, kH, kW, channels]: with NHWC data, oneDNN's
     * backward pass runs about 2x faster on it than on [filters, channels, kH, kW].
     */
    private static final int WEIGHTS_OHWI = 2;

    /** libnd4j's padding mode that takes the padding from the arguments (not TensorFlow SAME). */
    private static final int EXPLICIT_PADDING = 0;

    public Window {
        positive(kernelHeight, "kernel height");
        positive(kernelWidth, "kernel width");
        positive(strideHeight, "stride height");
        positive(strideWidth, "stride width");
        if (paddingHeight < 0 || paddingWidth < 0) {
            throw new IllegalArgumentException(
                    String.format(
                            "window padding: expected values >= 0, found %d x %d",
                            paddingHeight, paddingWidth));
        }
    }

    /** The window of a convolution spec. */
    public static Window of(Conv2d spec) {
        return new Window(
                spec.kernelHeight(),
                spec.kernelWidth(),
                spec.strideHeight(),
                spec.strideWidth(),
                spec.paddingHeight(),
                spec.paddingWidth());
    }

    /** The window of a pooling spec. */
    public static Window of(Pool2d spec) {
        return new Window(
                spec.kernelHeight(),
                spec.kernelWidth(),
                spec.strideHeight(),
                spec.strideWidth(),
                spec.paddingHeight(),
                spec.paddingWidth());
    }

    /** A window covering a whole {@code height x width} map, without padding. */
    public static Window global(int height, int width) {
        return new Window(height, width, 1, 1, 0, 0);
    }

    /**
     * The output rows for {@code inputHeight} input rows: {@code (in + 2p - k) / s + 1}, rounded
     * down as in PyTorch.
     *
     * @throws IllegalArgumentException if the padded input is smaller than the kernel
     */
    public int outputHeight(int inputHeight) {
        return outputSize(inputHeight, kernelHeight, strideHeight, paddingHeight, "height");
    }

    /** The output columns for {@code inputWidth} input columns; see {@link #outputHeight}. */
    public int outputWidth(int inputWidth) {
        return outputSize(inputWidth, kernelWidth, strideWidth, paddingWidth, "width");
    }

    /**
     * The integer arguments of libnd4j's {@code conv2d} and {@code conv2d_bp}: kernel, stride,
     * padding, dilation 1, explicit padding, NHWC data and [filters, kH, kW, channels] weights. All
     * eleven are always passed, because missing ones default to formats the DSL does not use.
     */
    int[] convolutionArguments() {
        return new int[] {
            kernelHeight,
            kernelWidth,
            strideHeight,
            strideWidth,
            paddingHeight,
            paddingWidth,
            1,
            1,
            EXPLICIT_PADDING,
            NHWC,
            WEIGHTS_OHWI
        };
    }

    /**
     * The integer arguments of libnd4j's pooling ops and their backward ops: kernel, stride,
     * padding, dilation 1, explicit padding, {@code extra} and NHWC data.
     *
     * @param extra for average pooling, 1 divides by the whole window (padding included, as
     *     PyTorch's default {@code count_include_pad=True}); max pooling ignores it
     */
    int[] poolingArguments(int extra) {
        return new int[] {
            kernelHeight,
            kernelWidth,
            strideHeight,
            strideWidth,
            paddingHeight,
            paddingWidth,
            1,
            1,
            EXPLICIT_PADDING,
            extra,
            NHWC
        };
    }

    private static int outputSize(int in, int kernel, int stride, int padding, String axis) {
        int padded = in + 2 * padding;
        if (padded < kernel) {
            throw new IllegalArgumentException(
                    String.format(
                            "window %s: expected the padded input (%d + 2 x %d) to be at least the"
                                    + " kernel %d",
                            axis, in, padding, kernel));
        }
        return (padded - kernel) / stride + 1;
    }

    private static void positive(int value, String what) {
        if (value < 1) {
            throw new IllegalArgumentException(
                    "window " + what + ": expected a positive number, found " + value);
        }
    }
}
