package io.depthlab.trainer.engine.conv;

import io.depthlab.dsl.Flatten;
import io.depthlab.dsl.Shape;
import io.depthlab.trainer.engine.EngineLayer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link Flatten}: {@code [batch, d1, d2, ...]} to {@code [batch, d1 * d2 * ...]} in row-major
 * order. On c-order arrays both directions are views that copy nothing.
 */
final class FlattenLayer implements EngineLayer {
    private final Flatten spec;
    private final Shape inputShape;
    private final Shape outputShape;

    FlattenLayer(Flatten spec, Shape inputShape) {
        this.spec = spec;
        this.inputShape = inputShape;
        this.outputShape = spec.outputShape(inputShape);
    }

    @Override
    public Flatten spec() {
        return spec;
    }

    @Override
    public Shape inputShape() {
        return inputShape;
    }

    @Override
    public Shape outputShape() {
        return outputShape;
    }

    @Override
    public INDArray forward(INDArray input, boolean training) {
        return input.reshape('c', input.size(0), outputShape.dim(0));
    }

    @Override
    public INDArray backward(INDArray gradOutput, boolean needGradInput) {
        if (!needGradInput) {
            return null;
        }
        long[] shape = new long[inputShape.rank() + 1];
        shape[0] = gradOutput.size(0);
        for (int i = 0; i < inputShape.rank(); i++) {
            shape[i + 1] = inputShape.dim(i);
        }
        return gradOutput.reshape('c', shape);
    }
}
