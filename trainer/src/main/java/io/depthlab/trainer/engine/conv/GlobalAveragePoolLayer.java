package io.depthlab.trainer.engine.conv;

import io.depthlab.dsl.GlobalAveragePool;
import io.depthlab.dsl.Shape;
import io.depthlab.trainer.engine.EngineLayer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link GlobalAveragePool}: {@code [batch, height, width, channels]} to {@code [batch,
 * channels]}, the mean of each map, through {@link PoolOps}. Its output is a view of a buffer it
 * reuses at its next pass ({@link ArraySlot}); its input gradient comes from the {@link
 * GradientPool}.
 */
final class GlobalAveragePoolLayer implements EngineLayer {
    private final GlobalAveragePool spec;
    private final Shape inputShape;
    private final Shape outputShape;
    private final ArraySlot outputs = new ArraySlot();
    private INDArray lastInput;

    GlobalAveragePoolLayer(GlobalAveragePool spec, Shape inputShape) {
        this.spec = spec;
        this.inputShape = inputShape;
        this.outputShape = spec.outputShape(inputShape);
    }

    @Override
    public GlobalAveragePool spec() {
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
        GradientPool.get().reclaimAll();
        INDArray output = outputs.next(input.dataType(), input.size(0), input.size(3));
        PoolOps.globalAverageForward(input, output);
        lastInput = training ? input : null;
        return output;
    }

    @Override
    public INDArray backward(INDArray gradOutput, boolean needGradInput) {
        if (lastInput == null) {
            throw new IllegalStateException(
                    "layer '" + spec.name() + "': backward needs a forward in training mode first");
        }
        INDArray input = lastInput;
        lastInput = null;
        GradientPool pool = GradientPool.get();
        INDArray gradInput = null;
        if (needGradInput) {
            gradInput = pool.takeLike(input);
            PoolOps.globalAverageBackward(input, gradOutput, gradInput);
        }
        pool.giveBack(gradOutput);
        return gradInput;
    }

    @Override
    public void close() {
        outputs.close();
    }
}
