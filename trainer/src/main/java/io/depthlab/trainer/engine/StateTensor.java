package io.depthlab.trainer.engine;

import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A tensor saved with the model but not trained, e.g. a batch-norm running mean. The owning layer
 * updates {@code value} in place while training and closes it.
 *
 * @param name {@code "<layer name>.<role>"}, e.g. {@code batch_norm_1.running_mean}
 * @param value allocated once, outside any workspace
 */
public record StateTensor(String name, INDArray value) {

    public StateTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}
