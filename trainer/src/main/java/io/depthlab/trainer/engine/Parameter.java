package io.depthlab.trainer.engine;

import io.depthlab.dsl.Penalty;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trained tensor and its gradient, both allocated once outside any workspace.
 *
 * <p>The name is {@code "<layer name>.<role>"}, e.g. {@code dense_1.weight} or {@code
 * dense_1.bias}; bundles store tensors under it. Weight tensors (dense and convolution kernels)
 * take the layer's and the network's penalties and appear in the gradient-flow record; biases and
 * batch-norm scale and shift do neither.
 *
 * <p>Optimizers update {@link #value()} in place and read {@link #gradient()}; nobody replaces
 * either array. Not thread safe.
 */
public final class Parameter implements AutoCloseable {
    private final String name;
    private final INDArray value;
    private final INDArray gradient;
    private final boolean weight;
    private final List<Penalty> penalties;

    private Parameter(String name, INDArray value, boolean weight, List<Penalty> penalties) {
        this.name = Objects.requireNonNull(name, "name");
        this.value = Objects.requireNonNull(value, "value");
        this.gradient = value.like();
        this.weight = weight;
        this.penalties = List.copyOf(penalties);
    }

    /**
     * A weight tensor, penalised by the layer's {@code penalties} (and the network's); takes
     * ownership of {@code value}.
     */
    public static Parameter weight(String name, INDArray value, List<Penalty> penalties) {
        return new Parameter(name, value, true, penalties);
    }

    /** A tensor that is never penalised (a bias, a scale); takes ownership of {@code value}. */
    public static Parameter unpenalised(String name, INDArray value) {
        return new Parameter(name, value, false, List.of());
    }

    /** {@code "<layer name>.<role>"}. */
    public String name() {
        return name;
    }

    /** The current value, updated in place by optimizers. */
    public INDArray value() {
        return value;
    }

    /**
     * The gradient of the batch loss (penalties included once {@link Nd4jNetwork} has added them);
     * same shape as the value, overwritten by every backward pass.
     */
    public INDArray gradient() {
        return gradient;
    }

    /** Whether this is a weight tensor: penalised and part of the gradient-flow record. */
    public boolean isWeight() {
        return weight;
    }

    /** The layer's own penalties; the network-wide ones come on top. Empty unless a weight. */
    public List<Penalty> penalties() {
        return penalties;
    }

    /** The shape of the value, a fresh copy. */
    public long[] shape() {
        return value.shape().clone();
    }

    /** The number of values. */
    public long length() {
        return value.length();
    }

    @Override
    public void close() {
        NdArrays.release(value);
        NdArrays.release(gradient);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(value.shape());
    }
}
