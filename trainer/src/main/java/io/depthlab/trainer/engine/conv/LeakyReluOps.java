package io.depthlab.trainer.engine.conv;

import java.util.Objects;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The leaky rectifier {@code x > 0 ? x : slope * x} (Maas et al., 2013), built from fast ops.
 *
 * <p>libnd4j's own {@code lrelu} and {@code lrelu_bp} take 10 and 15 ms on a [100, 32, 32, 32]
 * float batch here, eight to ten times what {@code relu} and the BLAS level-1 routines need for the
 * same data, and they read the slope as a 32-bit float. So the forward pass is {@code (1 - slope) *
 * relu(x) + slope * x} ({@code relu}, a scalar multiply and libnd4j's {@code axpy}), and the
 * backward pass multiplies the gradient by {@code slope + (1 - slope) * step(x)} (1.4 ms). Both
 * keep the slope in the array's own precision. Arrays that are not contiguous fall back to
 * libnd4j's {@code lrelu} for the forward pass (float slope).
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
     * same array.
     */
    public static void forward(INDArray input, double negativeSlope, INDArray output) {
        Objects.requireNonNull(input, "input");
        checkSlope(negativeSlope);
        ConvOps.checkShape(output, input.shape(), "leaky ReLU output");
        if (!contiguous(input) || !contiguous(output)) {
            Nd4j.exec(
                    DynamicCustomOp.builder("lrelu")
                            .addInputs(input)
                            .addOutputs(output)
                            .addFloatingPointArguments(negativeSlope)
                            .build());
            return;
        }
        Nd4j.exec(
                DynamicCustomOp.builder("relu")
                        .addInputs(input)
                        .addOutputs(output)
                        .addFloatingPointArguments(0.0)
                        .build());
        // libnd4j's own scalar and pairwise ops, not BLAS level 1: those run on OpenBLAS's thread
        // pool, which fights the OpenMP threads still spinning after a convolution (4-8x slower
        // inside a network than alone).
        output.muli(1 - negativeSlope);
        Nd4j.exec(new Axpy(input, output, output, negativeSlope));
    }

    /**
     * Multiplies {@code gradOutput} in place by the derivative at {@code input} (1 for positive
     * inputs, the slope otherwise) and returns it.
     *
     * @param input the input of the forward pass, unchanged
     * @param gradOutput the gradient with respect to the forward output; overwritten
     */
    public static INDArray backwardInPlace(
            INDArray input, INDArray gradOutput, double negativeSlope) {
        Objects.requireNonNull(input, "input");
        checkSlope(negativeSlope);
        ConvOps.checkShape(gradOutput, input.shape(), "leaky ReLU output gradient");
        try (MemoryWorkspace scratch = Scratch.open()) {
            INDArray derivative = input.ulike();
            // step(x) is 1 for x > 0 and 0 otherwise, matching the forward pass at 0.
            Nd4j.getExecutioner().exec(new Step(input, derivative, 0.0));
            derivative.muli(1 - negativeSlope).addi(negativeSlope);
            return gradOutput.muli(derivative);
        }
    }

    /** Whether BLAS level 1 can walk the array as one dense vector. */
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
