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
 * An elementwise activation. Every supported function's derivative follows from its output (ReLU
 * and leaky ReLU: 1 where the output is positive, else the slope, since a slope in [0, 1) keeps the
 * sign; sigmoid {@code y (1 - y)}; tanh {@code 1 - y^2}), so the backward pass reads only the
 * output, and the forward pass may write it over its input when the network allows (see {@link
 * EngineLayer#forward(INDArray, boolean, boolean)}): in a VGG, a third of the activations it keeps.
 * Otherwise the output goes to a new array, or for leaky ReLU to a buffer reused every pass. The
 * backward pass multiplies {@code gradOutput} in place by the derivative and returns it; leaky ReLU
 * runs on {@link LeakyReluOps}, eight to ten times faster than libnd4j's {@code lrelu} ops.
 */
final class ActivationLayer implements EngineLayer {
    private final Activation spec;
    private final Shape shape;
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
        return forward(input, training, false);
    }

    @Override
    public INDArray forward(INDArray input, boolean training, boolean inputIsScratch) {
        INDArray output =
                switch (spec.function()) {
                    case RELU -> Transforms.relu(input, !inputIsScratch);
                    case LEAKY_RELU -> leakyRelu(input, inputIsScratch);
                    case SIGMOID -> Transforms.sigmoid(input, !inputIsScratch);
                    case TANH -> Transforms.tanh(input, !inputIsScratch);
                };
        lastOutput = training ? output : null;
        return output;
    }

    @Override
    public void close() {
        outputs.close();
    }

    /**
     * In place, or into a buffer reused at every pass: a fresh output array costs more in page
     * faults than the op itself (deep VGGs run 37 of these per step).
     */
    private INDArray leakyRelu(INDArray input, boolean inPlace) {
        if (inPlace) {
            LeakyReluOps.forwardInPlace(input, spec.negativeSlope());
            return input;
        }
        INDArray output = outputs.nextLike(input);
        LeakyReluOps.forward(input, spec.negativeSlope(), output);
        return output;
    }

    @Override
    public INDArray backward(INDArray gradOutput, boolean needGradInput) {
        if (lastOutput == null) {
            throw new IllegalStateException(
                    "layer '" + spec.name() + "': backward needs a forward in training mode first");
        }
        switch (spec.function()) {
            // Elementwise, so writing the result over gradOutput is safe.
            case RELU ->
                    Nd4j.exec(
                            DynamicCustomOp.builder("relu_bp")
                                    .addInputs(lastOutput, gradOutput)
                                    .addOutputs(gradOutput)
                                    .addFloatingPointArguments(0.0)
                                    .build());
            case LEAKY_RELU ->
                    LeakyReluOps.backwardInPlace(lastOutput, gradOutput, spec.negativeSlope());
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
        lastOutput = null;
        return gradOutput;
    }
}
