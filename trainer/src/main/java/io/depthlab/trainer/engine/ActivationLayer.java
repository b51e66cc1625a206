package io.depthlab.trainer.engine;

import io.depthlab.dsl.Activation;
import io.depthlab.dsl.Shape;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.LeakyReLUBp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * An elementwise activation. The backward pass multiplies {@code gradOutput} in place by the
 * derivative and returns it, so it allocates nothing for ReLU and leaky ReLU (libnd4j's {@code
 * relu_bp} and {@code leakyrelu_bp} read the pre-activation) and one temporary for sigmoid and tanh
 * (whose derivatives come from the output: {@code y (1 - y)} and {@code 1 - y^2}).
 */
final class ActivationLayer implements EngineLayer {
    private final Activation spec;
    private final Shape shape;
    private INDArray lastInput;
    private INDArray lastOutput;

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
                    case LEAKY_RELU -> Transforms.leakyRelu(input, spec.negativeSlope(), true);
                    case SIGMOID -> Transforms.sigmoid(input, true);
                    case TANH -> Transforms.tanh(input, true);
                };
        lastInput = training ? input : null;
        lastOutput = training ? output : null;
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
                    Nd4j.exec(
                            new LeakyReLUBp(
                                    lastInput, gradOutput, gradOutput, spec.negativeSlope()));
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
