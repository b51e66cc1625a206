package io.depthlab.trainer.engine.conv;

import io.depthlab.dsl.Pool2d;
import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Max and average pooling over NHWC arrays ({@code [batch, height, width, channels]}, the engine's
 * layout) through libnd4j's {@code maxpool2d}, {@code avgpool2d} and their backward ops. Average
 * pooling divides by the whole window, padding included, as the DSL's {@link Pool2d} documents
 * (PyTorch's default). Global average pooling is average pooling with one window over the whole
 * map.
 *
 * <p>Stateless and thread safe; the arrays are not.
 */
public final class PoolOps {

    /** libnd4j's average-pooling divisor flag: 1 divides by the kernel area, padding included. */
    private static final int INCLUDE_PADDING = 1;

    private PoolOps() {}

    /** A new {@code [batch, outHeight, outWidth, channels]} array of the input's type. */
    public static INDArray forward(Pool2d.Mode mode, INDArray input, Window window) {
        checkInput(input, "pooling");
        INDArray output = Nd4j.create(input.dataType(), outputShape(input, window));
        forward(mode, input, window, output);
        return output;
    }

    /** Writes the pooling of {@code input} into {@code output}, {@link #outputShape}. */
    public static void forward(Pool2d.Mode mode, INDArray input, Window window, INDArray output) {
        checkInput(input, "pooling");
        Objects.requireNonNull(mode, "mode");
        ConvOps.checkShape(output, outputShape(input, window), "pooling output");
        pool(mode, input, window, output);
    }

    /**
     * A new gradient with respect to {@code input}, shaped like it. Max pooling sends each window's
     * gradient to its largest input (the first one on ties); average pooling spreads it evenly.
     *
     * @param input the input of the forward pass
     * @param gradOutput the gradient with respect to the forward output, unchanged
     */
    public static INDArray backward(
            Pool2d.Mode mode, INDArray input, INDArray gradOutput, Window window) {
        checkInput(input, "pooling");
        INDArray gradInput = input.ulike();
        backward(mode, input, gradOutput, window, gradInput);
        return gradInput;
    }

    /** Writes the input gradient into {@code gradInput}, shaped like {@code input}. */
    public static void backward(
            Pool2d.Mode mode,
            INDArray input,
            INDArray gradOutput,
            Window window,
            INDArray gradInput) {
        checkInput(input, "pooling");
        Objects.requireNonNull(mode, "mode");
        ConvOps.checkShape(gradOutput, outputShape(input, window), "pooling output gradient");
        ConvOps.checkShape(gradInput, input.shape(), "pooling input gradient");
        Nd4j.exec(
                DynamicCustomOp.builder(opName(mode) + "_bp")
                        .addInputs(input, gradOutput)
                        .addOutputs(gradInput)
                        .addIntegerArguments(window.poolingArguments(INCLUDE_PADDING))
                        .build());
    }

    /** A new {@code [batch, channels]} array: the mean of each channel's map. */
    public static INDArray globalAverageForward(INDArray input) {
        checkInput(input, "global average pooling");
        INDArray output = Nd4j.create(input.dataType(), input.size(0), input.size(3));
        globalAverageForward(input, output);
        return output;
    }

    /** Writes the mean of each channel's map into {@code output}, {@code [batch, channels]}. */
    public static void globalAverageForward(INDArray input, INDArray output) {
        checkInput(input, "global average pooling");
        ConvOps.checkShape(
                output, new long[] {input.size(0), input.size(3)}, "global average pooling output");
        // [batch, 1, 1, channels] and [batch, channels] have the same c-order buffer, so the op
        // writes straight into the result through a reshaped view.
        INDArray outputMap = output.reshape('c', input.size(0), 1, 1, input.size(3));
        pool(Pool2d.Mode.AVERAGE, input, globalWindow(input), outputMap);
    }

    /**
     * A new gradient with respect to {@code input}: each channel's gradient divided evenly over its
     * map.
     *
     * @param gradOutput {@code [batch, channels]}, unchanged
     */
    public static INDArray globalAverageBackward(INDArray input, INDArray gradOutput) {
        checkInput(input, "global average pooling");
        INDArray gradInput = input.ulike();
        globalAverageBackward(input, gradOutput, gradInput);
        return gradInput;
    }

    /** Writes the input gradient into {@code gradInput}, shaped like {@code input}. */
    public static void globalAverageBackward(
            INDArray input, INDArray gradOutput, INDArray gradInput) {
        checkInput(input, "global average pooling");
        ConvOps.checkShape(
                gradOutput,
                new long[] {input.size(0), input.size(3)},
                "global average pooling output gradient");
        INDArray gradMap = gradOutput.reshape('c', input.size(0), 1, 1, input.size(3));
        backward(Pool2d.Mode.AVERAGE, input, gradMap, globalWindow(input), gradInput);
    }

    private static Window globalWindow(INDArray input) {
        return Window.global(Math.toIntExact(input.size(1)), Math.toIntExact(input.size(2)));
    }

    private static void pool(Pool2d.Mode mode, INDArray input, Window window, INDArray output) {
        Nd4j.exec(
                DynamicCustomOp.builder(opName(mode))
                        .addInputs(input)
                        .addOutputs(output)
                        .addIntegerArguments(window.poolingArguments(INCLUDE_PADDING))
                        .build());
    }

    /** {@code [batch, outHeight, outWidth, channels]}. */
    public static long[] outputShape(INDArray input, Window window) {
        return new long[] {
            input.size(0),
            window.outputHeight(Math.toIntExact(input.size(1))),
            window.outputWidth(Math.toIntExact(input.size(2))),
            input.size(3)
        };
    }

    private static String opName(Pool2d.Mode mode) {
        return switch (mode) {
            case MAX -> "maxpool2d";
            case AVERAGE -> "avgpool2d";
        };
    }

    private static void checkInput(INDArray input, String what) {
        Objects.requireNonNull(input, "input");
        if (input.rank() != 4) {
            throw new IllegalArgumentException(
                    what
                            + " input: expected [batch, height, width, channels], found "
                            + Arrays.toString(input.shape()));
        }
    }
}
