package io.depthlab.trainer.training;

import io.depthlab.dsl.Shape;
import io.depthlab.trainer.engine.NdArrays;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Native input arrays reused from batch to batch: one per batch size seen (the full size and the
 * few sizes of last batches), so feeding a batch copies floats into existing memory instead of
 * allocating. The arrays stay owned by this buffer; a caller uses one until its next {@link #wrap}.
 * Not thread safe.
 */
final class InputBuffer implements AutoCloseable {
    private final Shape exampleShape;
    private final DataType type;
    private final Map<Integer, INDArray> bySize = new HashMap<>();

    InputBuffer(Shape exampleShape, DataType type) {
        this.exampleShape = exampleShape;
        this.type = type;
    }

    /** The array {@code [size, exampleShape...]} holding {@code features}. */
    INDArray wrap(float[] features, int size) {
        INDArray array = bySize.computeIfAbsent(size, this::allocate);
        if (features.length != array.length()) {
            throw new IllegalArgumentException(
                    String.format(
                            "batch of %d examples of shape %s: expected %d feature values, found"
                                    + " %d",
                            size, exampleShape, array.length(), features.length));
        }
        if (type == DataType.FLOAT) {
            array.data().setData(features);
        } else {
            INDArray floats = Nd4j.createFromArray(features);
            array.reshape(array.length()).assign(floats);
            NdArrays.release(floats);
        }
        return array;
    }

    private INDArray allocate(int size) {
        long[] shape = new long[exampleShape.rank() + 1];
        shape[0] = size;
        for (int i = 0; i < exampleShape.rank(); i++) {
            shape[i + 1] = exampleShape.dim(i);
        }
        return Nd4j.create(type, shape);
    }

    @Override
    public void close() {
        bySize.values().forEach(NdArrays::release);
        bySize.clear();
    }
}
