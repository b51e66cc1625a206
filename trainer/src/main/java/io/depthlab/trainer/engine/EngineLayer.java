package io.depthlab.trainer.engine;

import io.depthlab.dsl.Layer;
import io.depthlab.dsl.Shape;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The behaviour of one {@link Layer} spec on ND4J arrays. {@link EngineLayers#create} builds one
 * for each spec; {@link Nd4jNetwork} chains them.
 *
 * <h2>Shapes</h2>
 *
 * Every array carries the batch as its first dimension: {@code [batch, features]} for vectors and
 * {@code [batch, height, width, channels]} (NHWC, c order; see {@link ImageLayout}) for images. The
 * per-example shapes are those of the spec, {@link #inputShape()} and {@link #outputShape()}, where
 * images are {@code (channels, height, width)}: {@link ImageLayout#batchShape} gives the array
 * shape of a batch. The data type is that of the parameters, which is ND4J's default floating-point
 * type when the layer was created (float32 for training, float64 in gradient checks); layers create
 * per-batch arrays with the data type of their input.
 *
 * <h2>Call order</h2>
 *
 * A training step is {@code forward(x, true)} on every layer in order, then {@code backward(g,
 * ...)} on every layer in reverse order, each at most once. {@link #backward} may assume that the
 * last call on this layer was {@code forward(x, true)}, that {@code x} and the array that call
 * returned are still open and unchanged, and that {@code gradOutput} has the shape of that output.
 * An inference pass is {@code forward(x, false)} alone, never followed by {@code backward}.
 *
 * <h2>Who owns which array</h2>
 *
 * <ul>
 *   <li>{@code forward}'s input belongs to the caller; the layer reads it and may keep a reference
 *       for its backward, but never modifies or closes it, unless the caller allows it with {@link
 *       #forward(INDArray, boolean, boolean)}.
 *   <li>{@code forward}'s result belongs to the caller ({@link Nd4jNetwork}), which releases it
 *       with {@link NdArrays#release} once the whole pass (forward and backward) is over. It may be
 *       the input itself or a view of it (an identity or a reshape): {@code release} skips views,
 *       arrays already closed and arrays in a workspace, and the network never releases the
 *       network's own input.
 *   <li>{@code backward}'s {@code gradOutput} belongs to the caller, but is scratch: the layer may
 *       overwrite it in place (e.g. multiply by an activation's derivative) and return it as the
 *       gradient of its input. It must not close it.
 *   <li>{@code backward}'s result belongs to the caller, released like forward results.
 *   <li>Per-batch arrays a layer creates for itself (masks, batch statistics) are its own: it
 *       releases them at the latest when the next {@code forward} starts, or in {@link #close()}. A
 *       layer never keeps a per-batch array beyond its pass, because {@link Nd4jNetwork} runs every
 *       pass inside a workspace ({@link Nd4jNetwork#WORKSPACE}), whose memory is reused by the next
 *       pass. Inside it, {@link NdArrays#release} does nothing.
 *   <li>{@link Parameter} values and gradients, and {@link StateTensor} values, are allocated once
 *       when the layer is created, outside any workspace, and closed by {@link #close()}. A pass
 *       writes into them in place (ops with an explicit output array, {@code assign}, {@code
 *       addi}); it never replaces them with arrays created during the pass.
 * </ul>
 *
 * <h2>Gradients</h2>
 *
 * {@code backward} <em>overwrites</em> (does not add to) every parameter gradient with the gradient
 * of the batch loss, whose scale the head sets: the loss is a mean over the batch, so gradients
 * already carry the {@code 1 / batch}. Weight penalties are the network's business: {@link
 * Nd4jNetwork} adds them after the backward pass.
 *
 * <p>Implementations are not thread safe: a layer caches the arrays of the pass in progress.
 */
public interface EngineLayer extends AutoCloseable {

    /** The spec this layer was built from; its name prefixes the parameter names. */
    Layer spec();

    /** The layer name, the same as {@code spec().name()}. */
    default String name() {
        return spec().name();
    }

    /** The shape of one input example, without the batch dimension. */
    Shape inputShape();

    /** The shape of one output example, without the batch dimension. */
    Shape outputShape();

    /**
     * Runs the layer on a batch.
     *
     * @param input {@code [batch, inputShape...]}, owned by the caller
     * @param training true in a training step (dropout active, batch statistics used and the
     *     running ones updated); false for evaluation and inference
     * @return {@code [batch, outputShape...]}, owned by the caller
     */
    INDArray forward(INDArray input, boolean training);

    /**
     * {@link #forward(INDArray, boolean)}, allowed to write the result over {@code input} when
     * {@code inputIsScratch}. The network passes true when nobody reads the input again: it is the
     * output of a layer whose {@link #outputIsScratch()} is true, not the network's own input.
     * Elementwise activations then keep one batch of activations where they would keep two, the
     * largest memory saving in a deep network. The default ignores the permission.
     */
    default INDArray forward(INDArray input, boolean training, boolean inputIsScratch) {
        return forward(input, training);
    }

    /**
     * Whether the next layer may overwrite the array {@link #forward} returns: true when it is the
     * layer's own (not its input or a view of it) and {@link #backward} does not read it, as for
     * convolutions, batch norm and dense layers, whose backward passes read their inputs. False by
     * default.
     */
    default boolean outputIsScratch() {
        return false;
    }

    /**
     * Propagates the loss gradient back through the last {@code forward(x, true)} and overwrites
     * every parameter gradient.
     *
     * @param gradOutput the gradient of the loss with respect to the last output; scratch that the
     *     layer may overwrite
     * @param needGradInput false when nobody needs the input gradient (the first layer), so the
     *     layer may skip computing it
     * @return the gradient of the loss with respect to the last input, shaped like it, owned by the
     *     caller; {@code null} when {@code needGradInput} is false
     */
    INDArray backward(INDArray gradOutput, boolean needGradInput);

    /** The trained parameters, in a fixed order; empty for layers without any. */
    default List<Parameter> parameters() {
        return List.of();
    }

    /**
     * Tensors that are saved with the model but not trained, such as batch-norm running mean and
     * variance; empty for most layers.
     */
    default List<StateTensor> state() {
        return List.of();
    }

    /** Closes parameters, state and cached arrays; the layer must not be used afterwards. */
    @Override
    default void close() {
        parameters().forEach(Parameter::close);
        state().forEach(s -> NdArrays.release(s.value()));
    }
}
