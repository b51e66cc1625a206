package io.depthlab.trainer.optim;

import io.depthlab.trainer.engine.NdArrays;
import io.depthlab.trainer.engine.Parameter;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.floating.SquaredNorm;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Clips gradients by their global norm (Pascanu et al., 2013): when the L2 norm of all gradients
 * taken together exceeds {@code maxNorm}, every gradient is scaled by {@code maxNorm / norm}, which
 * keeps the direction of the step. Call between the backward pass and {@link Optimizer#step}. Not
 * thread safe; holds one scalar of native memory until {@link #close()}.
 */
public final class GradientClipping implements AutoCloseable {
    private final List<Parameter> parameters;
    private final double maxNorm;
    private final INDArray scalar;

    /**
     * @param parameters the parameters whose gradients to clip
     * @param maxNorm the largest global norm let through, positive and finite
     */
    public GradientClipping(List<Parameter> parameters, double maxNorm) {
        if (!(maxNorm > 0) || !Double.isFinite(maxNorm)) {
            throw new IllegalArgumentException(
                    "gradient clipping: expected a positive finite maximum norm, found " + maxNorm);
        }
        this.parameters = List.copyOf(parameters);
        this.maxNorm = maxNorm;
        this.scalar = Nd4j.scalar(Nd4j.defaultFloatingPointType(), 0.0);
    }

    public double maxNorm() {
        return maxNorm;
    }

    /**
     * Scales the gradients down if their global norm exceeds the maximum.
     *
     * @return the global norm before clipping
     */
    public double clip() {
        double squared = 0;
        for (Parameter parameter : parameters) {
            Nd4j.getExecutioner().exec(new SquaredNorm(parameter.gradient(), scalar));
            squared += scalar.getDouble(0);
        }
        double norm = Math.sqrt(squared);
        if (norm > maxNorm) {
            double factor = maxNorm / norm;
            parameters.forEach(p -> p.gradient().muli(factor));
        }
        return norm;
    }

    @Override
    public void close() {
        NdArrays.release(scalar);
    }
}
