package io.depthlab.trainer.engine;

import io.depthlab.dsl.Activation;
import io.depthlab.dsl.Shape;
import io.depthlab.trainer.engine.conv.ArraySlot;
import io.depthlab.trainer.engine.conv.LeakyReluOps;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * An elementwise activation. The backward pass multiplies {@code gradOutput} in place by the
 * derivative and returns it: for ReLU through libnd4j's {@code relu_bp}, which reads the
 * pre-activation; for leaky ReLU through {@link LeakyReluOps}, eight to ten times faster than
 * libnd4j's {@code lrelu} ops and exact in double precision; for sigmoid and tanh from the output
 * ({@code y (1 - y)} and {@code 1 - y^2}) with one temporary.
 */
final class ActivationLayer implements EngineLayer {
    private final Activation spec;
    private final Shape shape;
    private INDArray lastInput;
    private INDArray lastOutput;
    private final ArraySlot outputs = new ArraySlot();

    ActivationLayer(Activation spec, Shape shape) {
        this.spec = spec;
        this.shape = shape;
    }

    @Override
    public Activation spec() {
        return spec;
    }

    @Override
    public Shape inputShape() {
        return shape;
    }

    @Override
    public Shape outputShape() {
        return shape;
    }

    @Override
    public INDArray forward(INDArray input, boolean training) {
        INDArray output =
                switch (spec.function()) {
                    case RELU -> Transforms.relu(input, true);
                    case LEAKY_RELU -> leakyRelu(input);
                    case SIGMOID -> Transforms.sigmoid(input, true);
                    case TANH -> Transforms.tanh(input, true);
                };
        lastInput = training ? input : null;
        lastOutput = training ? output : null;
        return output;
    }

    @Override
    public void close() {
        outputs.close();
    }

    /**
     * Into a buffer reused at every pass: a fresh output array costs more in page faults than the
     * op itself (deep VGGs run 37 of these per step).
     */
    private INDArray leakyRelu(INDArray input) {
        INDArray output = outputs.nextLike(input);
        LeakyReluOps.forward(input, spec.negativeSlope(), output);
        return output;
    }

    @Override
    public INDArray backward(INDArray gradOutput, boolean needGradInput) {
        if (lastInput == null) {
            throw new IllegalStateException(
                    "layer '" + spec.name() + "': backward needs a forward in training mode first");
        }
        switch (spec.function()) {
            // Elementwise, so writing the result over gradOutput is safe.
            case RELU ->
                    Nd4j.exec(
                            DynamicCustomOp.builder("relu_bp")
                                    .addInputs(lastInput, gradOutput)
                                    .addOutputs(gradOutput)
                                    .addFloatingPointArguments(0.0)
                                    .build());
            case LEAKY_RELU ->
                    LeakyReluOps.backwardInPlace(lastInput, gradOutput, spec.negativeSlope());
            case SIGMOID -> {
                INDArray derivative = lastOutput.rsub(1.0).muli(lastOutput);
                gradOutput.muli(derivative);
                NdArrays.release(derivative);
            }
            case TANH -> {
                INDArray derivative = lastOutput.mul(lastOutput).rsubi(1.0);
                gradOutput.muli(derivative);
                NdArrays.release(derivative);
            }
        }
        lastInput = null;
        lastOutput = null;
        return gradOutput;
    }
}
