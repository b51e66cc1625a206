package io.depthlab.trainer.engine;

import io.depthlab.dsl.Shape;
import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How the engine lays out batches of images. Between its layers they are NHWC, {@code [batch,
 * height, width, channels]} in c order: oneDNN then runs convolutions without reordering every
 * input and output (forward passes about twice as fast as on NCHW), and batch norm and pooling get
 * faster too. At the boundary they are NCHW, {@code [batch, channels, height, width]}, as data
 * sets, PyTorch and the rest of this project have them: {@link Nd4jNetwork} takes NCHW features and
 * converts them once per pass. Spec shapes stay {@code (channels, height, width)}, and parameters
 * keep PyTorch's layouts (a convolution's weight is {@code [filters, channels, kH, kW]}), so
 * bundles do not depend on the engine's layout.
 */
public final class ImageLayout {

    private ImageLayout() {}

    /**
     * The engine's array shape for a batch of {@code shape}: {@code [batch, height, width,
     * channels]} for images (rank-3 shapes), {@code [batch, shape...]} otherwise.
     */
    public static long[] batchShape(long batch, Shape shape) {
        Objects.requireNonNull(shape, "shape");
        if (shape.rank() == 3) {
            return new long[] {batch, shape.dim(1), shape.dim(2), shape.dim(0)};
        }
        long[] dims = new long[shape.rank() + 1];
        dims[0] = batch;
        for (int i = 0; i < shape.rank(); i++) {
            dims[i + 1] = shape.dim(i);
        }
        return dims;
    }

    /** A new c-order NHWC copy of an NCHW batch, in the current workspace if one is open. */
    public static INDArray toEngine(INDArray nchw) {
        checkRank(nchw, "[batch, channels, height, width]");
        return nchw.permute(0, 2, 3, 1).dup('c');
    }

    /** A new c-order NCHW copy of an NHWC batch, in the current workspace if one is open. */
    public static INDArray toNchw(INDArray nhwc) {
        checkRank(nhwc, "[batch, height, width, channels]");
        return nhwc.permute(0, 3, 1, 2).dup('c');
    }

    private static void checkRank(INDArray images, String expected) {
        Objects.requireNonNull(images, "images");
        if (images.rank() != 4) {
            throw new IllegalArgumentException(
                    "images: expected " + expected + ", found " + Arrays.toString(images.shape()));
        }
    }
}
