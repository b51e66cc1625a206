package io.depthlab.trainer.engine;

import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A tensor saved with the model but not trained, e.g. a batch-norm running mean. The owning layer
 * updates {@code value} in place while training and closes it.
 *
 * @param name {@code "<layer name>.<role>"}, e.g. {@code batch_norm_1.running_mean}
 * @param value allocated once, outside any workspace
 * @param minimum the least value the layer can work with, which loaders check: 0 for a variance,
 *     whose square root the layer takes; negative infinity when any finite value will do
 */
public record StateTensor(String name, INDArray value, double minimum) {

    public StateTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }

    /** A state tensor that may hold any finite value. */
    public StateTensor(String name, INDArray value) {
        this(name, value, Double.NEGATIVE_INFINITY);
    }
}
