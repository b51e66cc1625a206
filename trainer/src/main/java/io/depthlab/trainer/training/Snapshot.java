package io.depthlab.trainer.training;

import io.depthlab.trainer.engine.Nd4jNetwork;
import io.depthlab.trainer.engine.NdArrays;
import io.depthlab.trainer.engine.Parameter;
import io.depthlab.trainer.engine.StateTensor;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A copy of a network's parameters and state tensors, in native memory allocated once; {@link
 * #save} and {@link #restore} copy in place. Not thread safe.
 */
final class Snapshot implements AutoCloseable {
    private final List<INDArray> live = new ArrayList<>();
    private final List<INDArray> copies = new ArrayList<>();

    Snapshot(Nd4jNetwork network) {
        for (Parameter parameter : network.parameters()) {
            live.add(parameter.value());
        }
        for (StateTensor state : network.state()) {
            live.add(state.value());
        }
        for (INDArray array : live) {
            copies.add(array.dup());
        }
    }

    /** Copies the network's current values into the snapshot. */
    void save() {
        for (int i = 0; i < live.size(); i++) {
            copies.get(i).assign(live.get(i));
        }
    }

    /** Copies the snapshot back into the network. */
    void restore() {
        for (int i = 0; i < live.size(); i++) {
            live.get(i).assign(copies.get(i));
        }
    }

    @Override
    public void close() {
        copies.forEach(NdArrays::release);
    }
}
