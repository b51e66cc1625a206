package io.depthlab.trainer.engine;

import io.depthlab.dsl.Shape;
import java.util.function.DoubleSupplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Compares analytic gradients with central finite differences, in double precision.
 *
 * <p>The error is norm-wise, {@code ||a - n|| / (||a|| + ||n||)}: elementwise relative errors blow
 * up on gradients that are legitimately near zero, while a wrong backward pass (a missing factor, a
 * transposed product, a dropped term) moves the norm-wise error to 1e-3 or more. Central
 * differences with step 1e-6 agree with a correct double-precision gradient to about 1e-9.
 */
final class GradientCheck {
    /** The finite-difference step. */
    static final double STEP = 1e-6;

    /** The largest norm-wise error a correct backward pass shows here. */
    static final double TOLERANCE = 1e-7;

    private GradientCheck() {}

    /**
     * The norm-wise relative error between {@code analytic} and the central difference of {@code
     * loss} with respect to every element of {@code variable}, which is perturbed in place and
     * restored.
     */
    static double error(DoubleSupplier loss, INDArray variable, INDArray analytic) {
        requireDouble(variable);
        requireDouble(analytic);
        INDArray flat = variable.reshape(variable.length());
        INDArray expected = analytic.reshape(analytic.length());
        double diff = 0;
        double normAnalytic = 0;
        double normNumeric = 0;
        for (long i = 0; i < flat.length(); i++) {
            double original = flat.getDouble(i);
            flat.putScalar(i, original + STEP);
            double plus = loss.getAsDouble();
            flat.putScalar(i, original - STEP);
            double minus = loss.getAsDouble();
            flat.putScalar(i, original);
            double numeric = (plus - minus) / (2 * STEP);
            double a = expected.getDouble(i);
            diff += (a - numeric) * (a - numeric);
            normAnalytic += a * a;
            normNumeric += numeric * numeric;
        }
        double scale = Math.sqrt(normAnalytic) + Math.sqrt(normNumeric);
        if (scale == 0) {
            return 0;
        }
        return Math.sqrt(diff) / scale;
    }

    /**
     * {@code sum(layer(x) * r)}: a scalar whose gradient with respect to the layer's output is
     * {@code r}, so that one backward pass of {@code r} checks every input and parameter gradient.
     */
    static double weightedSum(EngineLayer layer, INDArray x, INDArray r, boolean training) {
        INDArray out = layer.forward(x, training);
        double sum = out.mul(r).sumNumber().doubleValue();
        if (out != x) {
            NdArrays.release(out);
        }
        return sum;
    }

    /** The engine's array shape for a batch of {@code shape} (NHWC for images). */
    static long[] batchShape(int batch, Shape shape) {
        return ImageLayout.batchShape(batch, shape);
    }

    private static void requireDouble(INDArray array) {
        if (array.dataType() != DataType.DOUBLE) {
            throw new IllegalArgumentException(
                    "gradient checks need double arrays, found " + array.dataType());
        }
        if (array.isView() || array.ordering() != 'c') {
            throw new IllegalArgumentException("gradient checks need c-order arrays, not views");
        }
    }
}
