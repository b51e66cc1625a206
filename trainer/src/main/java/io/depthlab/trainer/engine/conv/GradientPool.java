package io.depthlab.trainer.engine.conv;

import io.depthlab.trainer.engine.NdArrays;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Input-gradient buffers shared by the image layers of one thread, so that a backward pass reuses
 * memory (no page faults, see {@link ArraySlot}) and holds only the gradients in flight rather than
 * one per layer.
 *
 * <p>A layer {@link #take}s a view for the gradient it returns and {@link #giveBack}s the gradient
 * it was given once it has consumed it (never one that it returned in place, nor one its caller
 * still reads, like the gradient a residual block hands to both branches). Gradients that nobody
 * gives back, e.g. one that reached the network's first layer, are reclaimed by the next forward
 * pass of any image layer on the thread: by the contract of {@link
 * io.depthlab.trainer.engine.EngineLayer}, a forward starts only after the previous pass is over.
 *
 * <p>Buffers are views, so {@link NdArrays#release} leaves them alone. The pool keeps its free
 * buffers while the thread lives, for at most {@value #MAX_SHAPES} shapes; past that it forgets
 * them all.
 */
final class GradientPool {
    private static final int MAX_SHAPES = 8;
    private static final ThreadLocal<GradientPool> POOLS =
            ThreadLocal.withInitial(GradientPool::new);

    private final Map<String, ArrayDeque<INDArray>> free = new HashMap<>();
    // View handed out -> its buffer; identity, since INDArray.equals compares values.
    private final Map<INDArray, INDArray> lent = new IdentityHashMap<>();

    private GradientPool() {}

    /** This thread's pool. */
    static GradientPool get() {
        return POOLS.get();
    }

    /** A view of a free buffer of {@code type} and {@code shape}, contents undefined. */
    INDArray take(DataType type, long... shape) {
        ArrayDeque<INDArray> buffers = free.get(key(type, shape));
        INDArray buffer = buffers == null ? null : buffers.poll();
        if (buffer == null) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                buffer = Nd4j.createUninitialized(type, shape);
            }
        }
        INDArray view = buffer.reshape('c', shape);
        lent.put(view, buffer);
        return view;
    }

    /** A view shaped and typed like {@code like}. */
    INDArray takeLike(INDArray like) {
        return take(like.dataType(), like.shape());
    }

    /** Makes a view from {@link #take} free again; ignores any other array. */
    void giveBack(INDArray view) {
        INDArray buffer = view == null ? null : lent.remove(view);
        if (buffer != null) {
            free.computeIfAbsent(key(buffer.dataType(), buffer.shape()), k -> new ArrayDeque<>())
                    .push(buffer);
        }
    }

    /** Frees every view still lent out; called when a new pass starts. */
    void reclaimAll() {
        if (lent.isEmpty()) {
            return;
        }
        for (INDArray view : lent.keySet().toArray(new INDArray[0])) {
            giveBack(view);
        }
        if (free.size() > MAX_SHAPES) {
            // Dropped, not closed: a caller that kept a stale view past its pass reads garbage
            // instead of freed memory, and the garbage collector frees the buffers.
            free.clear();
        }
    }

    /** How many buffers the pool holds, lent or free: the gradients a pass had in flight. */
    int buffers() {
        return lent.size() + free.values().stream().mapToInt(ArrayDeque::size).sum();
    }

    private static String key(DataType type, long[] shape) {
        return type + Arrays.toString(shape);
    }
}
