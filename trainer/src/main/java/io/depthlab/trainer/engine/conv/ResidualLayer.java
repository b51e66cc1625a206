package io.depthlab.trainer.engine.conv;

import io.depthlab.dsl.Layer;
import io.depthlab.dsl.Residual;
import io.depthlab.dsl.Shape;
import io.depthlab.trainer.engine.EngineLayer;
import io.depthlab.trainer.engine.EngineLayers;
import io.depthlab.trainer.engine.NdArrays;
import io.depthlab.trainer.engine.Parameter;
import io.depthlab.trainer.engine.StateTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link Residual} block (He et al., 2016): {@code activation(body(x) + shortcut(x))}, where the
 * shortcut is the identity or the spec's 1x1 projection. Body layers and the activation come from
 * {@link EngineLayers#create}, so any kind the engine supports may sit in a body; each draws its
 * own seed from the block's generator, in body order, then the projection.
 *
 * <p>Backward sends the gradient of the sum to both branches and adds the two input gradients. The
 * block owns the arrays its inner layers exchange and releases them when its own backward ends, or
 * when the next forward starts.
 */
final class ResidualLayer implements EngineLayer {
    private final Residual spec;
    private final Shape inputShape;
    private final Shape outputShape;
    private final List<EngineLayer> body;
    private final Conv2dLayer projection;
    private final EngineLayer activation;
    private final List<Parameter> parameters;
    private final List<StateTensor> state;
    // Arrays made inside the block for the pass in progress; released by releaseScratch().
    private final List<INDArray> scratch = new ArrayList<>();
    private final ArraySlot sums = new ArraySlot();
    private INDArray lastInput;

    ResidualLayer(Residual spec, Shape inputShape, SplittableRandom random) {
        this.spec = spec;
        this.inputShape = inputShape;
        this.outputShape = spec.outputShape(inputShape);
        List<EngineLayer> layers = new ArrayList<>();
        Conv2dLayer shortcut = null;
        EngineLayer after = null;
        try {
            Shape shape = inputShape;
            for (Layer layer : spec.body()) {
                EngineLayer engineLayer = EngineLayers.create(layer, shape, random.nextLong());
                layers.add(engineLayer);
                shape = engineLayer.outputShape();
            }
            if (spec.projection().isPresent()) {
                shortcut = new Conv2dLayer(spec.projection().get(), inputShape, random);
            }
            if (spec.activation().isPresent()) {
                after = EngineLayers.create(spec.activation().get(), shape, random.nextLong());
            }
        } catch (RuntimeException e) {
            layers.forEach(EngineLayer::close);
            if (shortcut != null) {
                shortcut.close();
            }
            throw e;
        }
        this.body = List.copyOf(layers);
        ConvLayers.foldBatchNorms(body);
        this.projection = shortcut;
        this.activation = after;
        this.parameters = collectParameters();
        this.state = collectState();
    }

    @Override
    public Residual spec() {
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
        releaseScratch(lastInput, input, null);
        INDArray h = input;
        for (int i = 0; i < body.size(); i++) {
            // The block's input also feeds the shortcut, so only later inputs are scratch.
            boolean inputIsScratch = i > 0 && body.get(i - 1).outputIsScratch();
            h = body.get(i).forward(h, training, inputIsScratch);
            scratch.add(h);
        }
        INDArray shortcut = input;
        if (projection != null) {
            shortcut = projection.forward(input, training);
            scratch.add(shortcut);
        }
        INDArray sum;
        if (h != input && body.get(body.size() - 1).outputIsScratch()) {
            // Summing into the body's output saves a whole activation per block, as many bytes
            // as the block's input.
            sum = h.addi(shortcut);
        } else {
            sum = sums.nextLike(h);
            h.add(shortcut, sum);
        }
        INDArray output = sum;
        if (activation != null) {
            scratch.add(sum);
            // Nothing reads the sum again: the backward pass needs only the activation's.
            output = activation.forward(sum, training, true);
        }
        lastInput = training ? input : null;
        if (!training) {
            // Inference never comes back for the inner arrays.
            releaseScratch(input, output, null);
        }
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
        INDArray gradInput = null;
        try {
            INDArray gradSum = gradOutput;
            if (activation != null) {
                gradSum = activation.backward(gradOutput, true);
                scratch.add(gradSum);
            }
            gradInput = backwardBranches(gradSum, needGradInput);
            if (gradOutput != gradInput) {
                // Consumed: a pooled gradient goes back for the blocks below (a no-op if a body
                // layer already gave it back, or for any other array).
                GradientPool.get().giveBack(gradOutput);
            }
            return gradInput;
        } finally {
            // gradOutput and the input are the caller's, possibly reached through the scratch.
            releaseScratch(input, gradOutput, gradInput);
        }
    }

    /**
     * The input gradient: the body's input gradient with the shortcut's added in place; or null
     * when not needed.
     */
    private INDArray backwardBranches(INDArray gradSum, boolean needGradInput) {
        INDArray gradShortcut;
        INDArray gradBody = gradSum;
        if (projection != null) {
            // The projection leaves gradSum unchanged and in the caller's hands, so the body may
            // use it as scratch after.
            gradShortcut = projection.backward(gradSum, needGradInput, false);
            scratch.add(gradShortcut);
        } else {
            gradShortcut = gradSum;
        }
        int last = body.size() - 1;
        for (int i = last; i >= 0; i--) {
            boolean needBodyGradInput = needGradInput || i > 0;
            if (i == last && projection == null && needGradInput) {
                // The identity branch still needs the gradient the body would overwrite.
                gradBody = backwardKeeping(body.get(i), gradSum, needBodyGradInput);
            } else {
                gradBody = body.get(i).backward(gradBody, needBodyGradInput);
            }
            scratch.add(gradBody);
        }
        if (!needGradInput) {
            return null;
        }
        // The body's input gradient is ours (an array or a pooled view) or the caller's
        // gradOutput: either way, sum into it. Residual bodies keep the shape, so no body layer
        // returns a view of an array this block releases.
        gradBody.addi(gradShortcut);
        if (projection != null) {
            GradientPool.get().giveBack(gradShortcut);
        }
        return gradBody;
    }

    /**
     * {@code layer.backward(gradOutput, needGradInput)}, leaving {@code gradOutput} unchanged: in
     * place of a copy for the kinds that can write their input gradient elsewhere at no cost.
     */
    private static INDArray backwardKeeping(
            EngineLayer layer, INDArray gradOutput, boolean needGradInput) {
        if (layer instanceof BatchNormLayer norm) {
            return norm.backward(gradOutput, needGradInput, false);
        } else if (layer instanceof Conv2dLayer conv) {
            return conv.backward(gradOutput, needGradInput, false);
        }
        INDArray copy = GradientPool.get().takeLike(gradOutput).assign(gradOutput);
        return layer.backward(copy, needGradInput);
    }

    @Override
    public List<Parameter> parameters() {
        return parameters;
    }

    @Override
    public List<StateTensor> state() {
        return state;
    }

    @Override
    public void close() {
        releaseScratch(lastInput, null, null);
        lastInput = null;
        body.forEach(EngineLayer::close);
        if (projection != null) {
            projection.close();
        }
        if (activation != null) {
            activation.close();
        }
        sums.close();
    }

    /**
     * Releases the block's inner arrays except {@code keep}: arrays of the caller or handed to it,
     * which inner layers may have returned as their own (an identity, an in-place backward).
     */
    private void releaseScratch(INDArray keep1, INDArray keep2, INDArray keep3) {
        for (INDArray array : scratch) {
            if (array != keep1 && array != keep2 && array != keep3) {
                NdArrays.release(array);
            }
        }
        scratch.clear();
    }

    private List<Parameter> collectParameters() {
        List<Parameter> all = new ArrayList<>();
        body.forEach(layer -> all.addAll(layer.parameters()));
        if (projection != null) {
            all.addAll(projection.parameters());
        }
        if (activation != null) {
            all.addAll(activation.parameters());
        }
        return List.copyOf(all);
    }

    private List<StateTensor> collectState() {
        List<StateTensor> all = new ArrayList<>();
        body.forEach(layer -> all.addAll(layer.state()));
        if (activation != null) {
            all.addAll(activation.state());
        }
        return List.copyOf(all);
    }
}
