package io.depthlab.trainer.engine.conv;

import io.depthlab.trainer.engine.NdArrays;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One array that a layer hands out again at every pass, instead of a new one each time.
 *
 * <p>Why: on this machine a fresh 13 MB array costs about 3,200 page faults, 10 ms, when the op
 * that fills it takes under 1 ms; and glibc does not give libnd4j's freed buffers back to later
 * allocations (resident memory grows by each closed array), so closing does not help either. A
 * layer's output or input gradient from one pass is dead by the time the same layer runs again (see
 * {@link io.depthlab.trainer.engine.EngineLayer}'s call order), so the layer can reuse its memory.
 *
 * <p>{@link #next} returns a view of the buffer: {@link NdArrays#release} skips views, so callers
 * may release it as they release any result, and the buffer survives. The buffer is allocated
 * outside any workspace and replaced when the requested type or shape changes (a smaller last
 * batch, inference after training). Not thread safe, like the layers that own slots.
 */
public final class ArraySlot implements AutoCloseable {
    private INDArray buffer;

    /**
     * A view of a c-order buffer of {@code type} and {@code shape}, contents undefined, valid until
     * the next call or {@link #close()}.
     */
    public INDArray next(DataType type, long... shape) {
        if (buffer == null
                || buffer.wasClosed()
                || buffer.dataType() != type
                || !Arrays.equals(buffer.shape(), shape)) {
            NdArrays.release(buffer);
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                buffer = Nd4j.createUninitialized(type, shape);
            }
        }
        return buffer.reshape('c', shape);
    }

    /** A view shaped and typed like {@code like}; see {@link #next(DataType, long...)}. */
    public INDArray nextLike(INDArray like) {
        return next(like.dataType(), like.shape());
    }

    /** Frees the buffer; a later {@link #next} allocates a new one. */
    @Override
    public void close() {
        NdArrays.release(buffer);
        buffer = null;
    }
}
