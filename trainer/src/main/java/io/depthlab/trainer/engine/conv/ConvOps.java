package io.depthlab.trainer.engine.conv;

import io.depthlab.trainer.engine.NdArrays;
import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

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

    /**
     * About the most input bytes one backward call gets; a larger batch goes through in equal
     * chunks. For a whole [100, 32, 32, 32] float batch (13 MB) oneDNN picks Winograd kernels, and
     * its Winograd weight gradient (5.4 ms) is slower than the direct kernel it picks for a quarter
     * of the batch (4 x 1.1 ms); the data gradient of a quarter is faster too (4 x 0.6 ms against
     * 3.0), as a quarter's arrays stay in the processor's cache between the passes. Chunked, a
     * VGG-38 BN+res training step took 0.92 and a VGG-68 one 0.90-0.98 of the time in interleaved
     * steps (BENCHMARKS.md). Smaller chunks (16x16 layers split too) and chunked forward passes
     * measured no better: every call also pays libnd4j's and oneDNN's fixed costs.
     */
    static final long BACKWARD_CHUNK_BYTES = 4L << 20;

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
     * @param output {@code [batch, outHeight, outWidth, filters]}; a strided view is written
     *     through a dense copy
     */
    public static void forward(
            INDArray input, INDArray weight, INDArray bias, Window window, INDArray output) {
        checkShapes(input, weight, bias, window);
        checkShape(output, outputShape(input, weight, window), "output");
        INDArray x = denseCopy(input);
        INDArray y = dense(output) ? output : denseLike(output);

        forwardOp(x, weight, bias, window, y);

        writeBack(y, output);
        release(x, input);
    }

    private static void forwardOp(
            INDArray input, INDArray weight, INDArray bias, Window window, INDArray output) {
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
        backward(
                input,
                weight,
                bias,
                gradOutput,
                window,
                gradInput,
                gradWeight,
                gradBias,
                BACKWARD_CHUNK_BYTES);
    }

    /**
     * {@link #backward} with batches of more than {@code chunkBytes} of input split into equal
     * chunks of examples (of about that size): the input gradient is written chunk by chunk, the
     * weight and bias gradients are the sums over the chunks. Arrays that are views starting past
     * their buffer's first element go through whole, since ND4J M2.1 slices such views wrongly.
     */
    static void backward(
            INDArray input,
            INDArray weight,
            INDArray bias,
            INDArray gradOutput,
            Window window,
            INDArray gradInput,
            INDArray gradWeight,
            INDArray gradBias,
            long chunkBytes) {
        if (chunkBytes <= 0) {
            throw new IllegalArgumentException(
                    "convolution backward chunk: expected a positive byte count, found "
                            + chunkBytes);
        }
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
        if (bias != null) {
            checkShape(gradBias, bias.shape(), "bias gradient");
        }
        int batch = Math.toIntExact(input.size(0));
        if (batch == 0) {
            // The gradients of a sum over no examples; libnd4j would leave them as they were.
            gradWeight.assign(0);
            if (gradBias != null) {
                gradBias.assign(0);
            }
            return;
        }

        INDArray x = denseCopy(input);
        INDArray g = denseCopy(gradOutput);
        INDArray gx = dense(gradInput) ? gradInput : denseLike(gradInput);
        long bytes = x.length() * x.dataType().width();
        // The number of chunkBytes-sized pieces, rounded up, without overflowing near MAX_VALUE.
        long chunks = Math.min(batch, -Math.floorDiv(-bytes, chunkBytes));
        if (chunks <= 1 || x.offset() != 0 || g.offset() != 0 || gx.offset() != 0) {
            backwardOp(x, weight, bias, g, window, gx, gradWeight, gradBias);
        } else {
            backwardInChunks(x, weight, bias, g, window, gx, gradWeight, gradBias, (int) chunks);
        }

        writeBack(gx, gradInput);
        release(x, input);
        release(g, gradOutput);
    }

    private static void backwardInChunks(
            INDArray input,
            INDArray weight,
            INDArray bias,
            INDArray gradOutput,
            Window window,
            INDArray gradInput,
            INDArray gradWeight,
            INDArray gradBias,
            int chunks) {
        int batch = Math.toIntExact(input.size(0));
        int size = (batch + chunks - 1) / chunks;
        INDArray weightPart = Nd4j.createUninitialized(gradWeight.dataType(), gradWeight.shape());
        INDArray biasPart = bias == null ? null : gradBias.ulike();
        for (int from = 0; from < batch; from += size) {
            INDArrayIndex examples = NDArrayIndex.interval(from, Math.min(batch, from + size));
            boolean first = from == 0;
            backwardOp(
                    input.get(examples),
                    weight,
                    bias,
                    gradOutput.get(examples),
                    window,
                    gradInput.get(examples),
                    first ? gradWeight : weightPart,
                    first ? gradBias : biasPart);
            if (!first) {
                gradWeight.addi(weightPart);
                if (bias != null) {
                    gradBias.addi(biasPart);
                }
            }
        }
        NdArrays.release(weightPart, biasPart);
    }

    /** One {@code conv2d_bp} call on checked arrays. */
    private static void backwardOp(
            INDArray input,
            INDArray weight,
            INDArray bias,
            INDArray gradOutput,
            Window window,
            INDArray gradInput,
            INDArray gradWeight,
            INDArray gradBias) {
        DynamicCustomOp.DynamicCustomOpsBuilder op =
                DynamicCustomOp.builder("conv2d_bp")
                        .addIntegerArguments(window.convolutionArguments());
        if (bias == null) {
            op.addInputs(input, weight, gradOutput).addOutputs(gradInput, gradWeight);
        } else {
            // All three outputs: with two, libnd4j leaves the bias gradient unset, silently.
            op.addInputs(input, weight, bias, gradOutput)
                    .addOutputs(gradInput, gradWeight, gradBias);
        }
        Nd4j.exec(op.build());
    }

    /**
     * Whether libnd4j's oneDNN path reads or writes {@code array} correctly: c order with the
     * strides of a dense array. With float32 its convolutions and batch norm silently compute
     * garbage (values near 1e30) from other layouts, such as an NHWC view of an NCHW batch;
     * convolution weights are the exception and may be the OHWI view of an OIHW array.
     */
    static boolean dense(INDArray array) {
        return array.ordering() == 'c'
                && Arrays.equals(array.stride(), Nd4j.getStrides(array.shape(), 'c'));
    }

    /** {@code array} itself when {@link #dense}, else a dense copy. */
    static INDArray denseCopy(INDArray array) {
        return dense(array) ? array : array.dup('c');
    }

    private static INDArray denseLike(INDArray array) {
        return Nd4j.createUninitialized(array.dataType(), array.shape());
    }

    /** Copies a result computed in a dense stand-in into the caller's array. */
    private static void writeBack(INDArray computed, INDArray target) {
        if (computed != target) {
            target.assign(computed);
            NdArrays.release(computed);
        }
    }

    /** Releases {@code copy} if it is a copy of {@code original}. */
    static void release(INDArray copy, INDArray original) {
        if (copy != original) {
            NdArrays.release(copy);
        }
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
