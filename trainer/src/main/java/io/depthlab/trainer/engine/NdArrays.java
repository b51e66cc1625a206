package io.depthlab.trainer.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Small helpers for the lifetime of off-heap arrays. */
public final class NdArrays {

    private NdArrays() {}

    /**
     * Closes {@code array} if it owns its buffer. Does nothing for {@code null}, for arrays already
     * closed, for views (their buffer belongs to another array) and for arrays in a workspace (the
     * workspace reuses them), so an owner may release whatever it was given.
     *
     * <p>With this ND4J build (1.0.0-M2.1, CPU) closing marks the buffer released, but measured
     * resident memory only falls when the garbage collector runs; loops must allocate inside a
     * workspace, as {@link Nd4jNetwork}'s passes do. Releasing still matters for arrays outside
     * workspaces: it makes use-after-release fail loudly and frees them as soon as ND4J does.
     */
    public static void release(INDArray array) {
        if (array != null && array.closeable()) {
            array.close();
        }
    }

    /** {@link #release}s each array. */
    public static void release(INDArray... arrays) {
        for (INDArray array : arrays) {
            release(array);
        }
    }
}
