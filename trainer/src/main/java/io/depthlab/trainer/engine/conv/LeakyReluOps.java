package io.depthlab.trainer.engine.conv;

import java.util.Objects;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.custom.Max;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.LeakyReLUDerivative;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The leaky rectifier {@code x > 0 ? x : slope * x} (Maas et al., 2013), built from fast ops.
 *
 * <p>libnd4j's own {@code lrelu} and {@code lrelu_bp} take 10 and 15 ms on a [100, 32, 32, 32]
 * float batch here, eight to ten times what its scalar and pairwise ops need for the same data, and
 * they read the slope as a 32-bit float. So the forward pass is {@code max(x, slope * x)}, exact
 * for a slope in [0, 1), and the backward pass multiplies the gradient by {@code slope + (1 -
 * slope) * step(y)}: the output {@code y} has the sign of the input, so the derivative needs only
 * one of them. Both keep the slope in the array's own precision. Arrays that are not contiguous
 * fall back to libnd4j's {@code lrelu} for the forward pass (float slope).
 *
 * <p>These use libnd4j's ops, not BLAS level 1, whose OpenBLAS thread pool fights the OpenMP
 * threads still spinning after a convolution (4-8x slower inside a network than alone).
 *
 * <p>Stateless and thread safe; the arrays are not.
 */
public final class LeakyReluOps {

    private LeakyReluOps() {}

    /**
     * A new array shaped like {@code input}.
     *
     * @param negativeSlope the slope for inputs {@code <= 0}, in [0, 1)
     */
    public static INDArray forward(INDArray input, double negativeSlope) {
        Objects.requireNonNull(input, "input");
        INDArray output = input.ulike();
        forward(input, negativeSlope, output);
        return output;
    }

    /**
     * Writes the leaky rectifier of {@code input} into {@code output}, shaped like it and not the
     * same array (see {@link #forwardInPlace}).
     */
    public static void forward(INDArray input, double negativeSlope, INDArray output) {
        Objects.requireNonNull(input, "input");
        checkSlope(negativeSlope);
        ConvOps.checkShape(output, input.shape(), "leaky ReLU output");
        if (!contiguous(input) || !contiguous(output)) {
            libnd4jForward(input, negativeSlope, output);
            return;
        }
        output.assign(input).muli(negativeSlope);
        Nd4j.exec(new Max(input, output, output));
    }

    /** Replaces {@code x} with its leaky rectifier, through one temporary in the scratch space. */
    public static void forwardInPlace(INDArray x, double negativeSlope) {
        Objects.requireNonNull(x, "x");
        checkSlope(negativeSlope);
        if (!contiguous(x)) {
            libnd4jForward(x, negativeSlope, x);
            return;
        }
        try (MemoryWorkspace scratch = Scratch.open()) {
            INDArray scaled = x.mul(negativeSlope);
            Nd4j.exec(new Max(x, scaled, x));
        }
    }

    /**
     * Multiplies {@code gradOutput} in place by the derivative (1 where the forward pass's input,
     * and so its output, is positive, the slope where it is negative) and returns it.
     *
     * @param input the input or the output of the forward pass, unchanged
     * @param gradOutput the gradient with respect to the forward output; overwritten
     */
    public static INDArray backwardInPlace(
            INDArray input, INDArray gradOutput, double negativeSlope) {
        Objects.requireNonNull(input, "input");
        checkSlope(negativeSlope);
        ConvOps.checkShape(gradOutput, input.shape(), "leaky ReLU output gradient");
        try (MemoryWorkspace scratch = Scratch.open()) {
            INDArray derivative = input.ulike();
            if (negativeSlope > 0) {
                // libnd4j's derivative op, one pass, three times faster than step, scale and
                // shift. It gives 1 at exactly 0, where max(x, slope * x) has both slopes.
                Nd4j.exec(new LeakyReLUDerivative(input, derivative, negativeSlope));
            } else {
                // A plain rectifier: 1 where the input is positive; its output is 0 elsewhere.
                Nd4j.exec(new Step(input, derivative, 0.0));
            }
            return gradOutput.muli(derivative);
        }
    }

    /** libnd4j's {@code lrelu}, which also walks strided arrays and may write over its input. */
    private static void libnd4jForward(INDArray input, double negativeSlope, INDArray output) {
        Nd4j.exec(
                DynamicCustomOp.builder("lrelu")
                        .addInputs(input)
                        .addOutputs(output)
                        .addFloatingPointArguments(negativeSlope)
                        .build());
    }

    /** Whether the fast ops can walk the array as one dense vector. */
    private static boolean contiguous(INDArray array) {
        return array.elementWiseStride() == 1 && array.ordering() == 'c';
    }

    private static void checkSlope(double negativeSlope) {
        if (!(negativeSlope >= 0 && negativeSlope < 1)) {
            throw new IllegalArgumentException(
                    "leaky ReLU negative slope: expected a value in [0, 1), found "
                            + negativeSlope);
        }
    }
}
