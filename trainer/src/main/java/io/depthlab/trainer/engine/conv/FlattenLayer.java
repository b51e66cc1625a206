package io.depthlab.trainer.engine.conv;

import io.depthlab.dsl.Flatten;
import io.depthlab.dsl.Shape;
import io.depthlab.trainer.engine.EngineLayer;
import io.depthlab.trainer.engine.ImageLayout;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link Flatten}: {@code [batch, d1, d2, ...]} to {@code [batch, d1 * d2 * ...]} in row-major
 * order of the spec's shape, so images flatten channel by channel, as in PyTorch, and a dense layer
 * after them has the same weights in both. Images arrive in the engine's NHWC layout, so both
 * directions copy through a transpose (into a reused buffer, and into a pooled gradient); other
 * inputs are reshaped views that copy nothing.
 */
final class FlattenLayer implements EngineLayer {
    private final Flatten spec;
    private final Shape inputShape;
    private final Shape outputShape;
    private final ArraySlot outputs = new ArraySlot();

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
        long batch = input.size(0);
        if (!images()) {
            return input.reshape('c', batch, outputShape.dim(0));
        }
        long[] nchw = {batch, inputShape.dim(0), inputShape.dim(1), inputShape.dim(2)};
        INDArray channelsFirst = outputs.next(input.dataType(), nchw);
        channelsFirst.assign(input.permute(0, 3, 1, 2));
        return channelsFirst.reshape('c', batch, outputShape.dim(0));
    }

    /** For images, a buffer of its own that the backward pass does not read. */
    @Override
    public boolean outputIsScratch() {
        return images();
    }

    @Override
    public INDArray backward(INDArray gradOutput, boolean needGradInput) {
        if (!needGradInput) {
            return null;
        }
        long batch = gradOutput.size(0);
        if (!images()) {
            return gradOutput.reshape('c', ImageLayout.batchShape(batch, inputShape));
        }
        INDArray channelsFirst =
                gradOutput.reshape(
                        'c', batch, inputShape.dim(0), inputShape.dim(1), inputShape.dim(2));
        INDArray gradInput =
                GradientPool.get()
                        .take(gradOutput.dataType(), ImageLayout.batchShape(batch, inputShape));
        return gradInput.assign(channelsFirst.permute(0, 2, 3, 1));
    }

    @Override
    public void close() {
        outputs.close();
    }

    private boolean images() {
        return inputShape.rank() == 3;
    }
}
