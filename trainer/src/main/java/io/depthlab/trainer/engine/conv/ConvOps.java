package io.depthlab.trainer.engine.conv;

import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * 2-D convolution (cross-correlation, as in PyTorch) through libnd4j's {@code conv2d} and {@code
 * conv2d_bp}, which reach oneDNN on this build: 10 to 30 times faster than DL4J's layer API.
 *
 * <p>Arrays are in the engine's layout ({@link io.depthlab.trainer.engine.ImageLayout}): inputs
 * {@code [batch, height, width, channels]}, weights {@code [filters, kernelHeight, kernelWidth,
 * channels]} (oneDNN's fastest pairing; {@link Conv2dLayer} keeps PyTorch's order in its
 * parameter), bias {@code [filters]}. All must share one floating-point type. Stateless and thread
 * safe; the arrays are not.
 */
public final class ConvOps {

    private ConvOps() {}

    /**
     * A new output {@code [batch, outHeight, outWidth, filters]} of the input's type.
     *
     * @param bias {@code [filters]}, or null for none
     */
    public static INDArray forward(INDArray input, INDArray weight, INDArray bias, Window window) {
        checkShapes(input, weight, bias, window);
        long[] out = outputShape(input, weight, window);
        INDArray output = Nd4j.create(input.dataType(), out);
        forward(input, weight, bias, window, output);
        return output;
    }

    /**
     * Writes the convolution of {@code input} into {@code output}, overwriting it.
     *
     * @param bias {@code [filters]}, or null for none
     * @param output {@code [batch, outHeight, outWidth, filters]}, c order
     */
    public static void forward(
            INDArray input, INDArray weight, INDArray bias, Window window, INDArray output) {
        checkShapes(input, weight, bias, window);
        checkShape(output, outputShape(input, weight, window), "output");
        DynamicCustomOp.DynamicCustomOpsBuilder op =
                DynamicCustomOp.builder("conv2d")
                        .addIntegerArguments(window.convolutionArguments())
                        .addOutputs(output);
        if (bias == null) {
            op.addInputs(input, weight);
        } else {
            op.addInputs(input, weight, bias);
        }
        Nd4j.exec(op.build());
    }

    /**
     * Writes the gradients of the loss with respect to the input, the weights and the bias,
     * overwriting the three targets.
     *
     * @param gradOutput the gradient with respect to the output of {@link #forward}, unchanged
     * @param gradInput shaped like {@code input}
     * @param gradWeight shaped like {@code weight}; may be a strided view (libnd4j writes through
     *     its strides), such as the OHWI view of an OIHW gradient
     * @param bias the bias of the forward pass, or null for none
     * @param gradBias shaped like {@code bias}; null exactly when {@code bias} is
     */
    public static void backward(
            INDArray input,
            INDArray weight,
            INDArray bias,
            INDArray gradOutput,
            Window window,
            INDArray gradInput,
            INDArray gradWeight,
            INDArray gradBias) {
        checkShapes(input, weight, bias, window);
        checkShape(gradOutput, outputShape(input, weight, window), "output gradient");
        checkShape(gradInput, input.shape(), "input gradient");
        checkShape(gradWeight, weight.shape(), "weight gradient");
        if ((bias == null) != (gradBias == null)) {
            throw new IllegalArgumentException(
                    "convolution backward: expected a bias gradient exactly when there is a bias,"
                            + " found bias "
                            + (bias == null ? "absent" : "present")
                            + " and its gradient "
                            + (gradBias == null ? "absent" : "present"));
        }
        DynamicCustomOp.DynamicCustomOpsBuilder op =
                DynamicCustomOp.builder("conv2d_bp")
                        .addIntegerArguments(window.convolutionArguments());
        if (bias == null) {
            op.addInputs(input, weight, gradOutput).addOutputs(gradInput, gradWeight);
        } else {
            checkShape(gradBias, bias.shape(), "bias gradient");
            // All three outputs: with two, libnd4j leaves the bias gradient unset, silently.
            op.addInputs(input, weight, bias, gradOutput)
                    .addOutputs(gradInput, gradWeight, gradBias);
        }
        Nd4j.exec(op.build());
    }

    /** {@code [batch, outHeight, outWidth, filters]}, after checking the shapes. */
    public static long[] outputShape(INDArray input, INDArray weight, Window window) {
        checkShapes(input, weight, null, window);
        return new long[] {
            input.size(0),
            window.outputHeight(Math.toIntExact(input.size(1))),
            window.outputWidth(Math.toIntExact(input.size(2))),
            weight.size(0)
        };
    }

    private static void checkShapes(INDArray input, INDArray weight, INDArray bias, Window window) {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(weight, "weight");
        Objects.requireNonNull(window, "window");
        if (input.rank() != 4) {
            throw new IllegalArgumentException(
                    "convolution input: expected [batch, height, width, channels], found "
                            + Arrays.toString(input.shape()));
        }
        long[] expected = {
            weight.size(0), window.kernelHeight(), window.kernelWidth(), input.size(3)
        };
        checkShape(weight, expected, "weight");
        if (bias != null) {
            checkShape(bias, new long[] {weight.size(0)}, "bias");
        }
    }

    static void checkShape(INDArray array, long[] expected, String what) {
        Objects.requireNonNull(array, what);
        if (!Arrays.equals(array.shape(), expected)) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s: expected shape %s, found %s",
                            what, Arrays.toString(expected), Arrays.toString(array.shape())));
        }
    }
}
