package io.depthlab.trainer.engine.conv;

import io.depthlab.dsl.Pool2d;
import io.depthlab.dsl.Shape;
import io.depthlab.trainer.engine.EngineLayer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link Pool2d}, max or average, on NHWC batches through {@link PoolOps}. Its output is a view
 * of a buffer it reuses at its next pass ({@link ArraySlot}); its input gradient comes from the
 * {@link GradientPool}.
 */
final class Pool2dLayer implements EngineLayer {
    private final Pool2d spec;
    private final Shape inputShape;
    private final Shape outputShape;
    private final Window window;
    private final ArraySlot outputs = new ArraySlot();
    private INDArray lastInput;

    Pool2dLayer(Pool2d spec, Shape inputShape) {
        this.spec = spec;
        this.inputShape = inputShape;
        this.outputShape = spec.outputShape(inputShape);
        this.window = Window.of(spec);
    }

    @Override
    public Pool2d spec() {
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
        INDArray output = outputs.next(input.dataType(), PoolOps.outputShape(input, window));
        PoolOps.forward(spec.mode(), input, window, output);
        lastInput = training ? input : null;
        return output;
    }

    /** Its own array; the backward pass reads the input. */
    @Override
    public boolean outputIsScratch() {
        return true;
    }

    @Override
    public INDArray backward(INDArray gradOutput, boolean needGradInput) {
        if (lastInput == null) {
            throw new IllegalStateException(
                    "layer '" + spec.name() + "': backward needs a forward in training mode first");
        }
        INDArray input = lastInput;
        lastInput = null;
        // Nothing upstream has parameters to train when nobody needs this gradient.
        GradientPool pool = GradientPool.get();
        INDArray gradInput = null;
        if (needGradInput) {
            gradInput = pool.takeLike(input);
            PoolOps.backward(spec.mode(), input, gradOutput, window, gradInput);
        }
        pool.giveBack(gradOutput);
        return gradInput;
    }

    @Override
    public void close() {
        outputs.close();
    }
}
