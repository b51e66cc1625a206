package io.depthlab.dsl;

/**
 * A weight penalty added to the loss. Biases and batch-norm parameters are never penalised.
 *
 * <p>{@link Kind#L1}: {@code coefficient * sum |w|}, gradient {@code coefficient * sign(w)}. {@link
 * Kind#L2}: {@code 0.5 * coefficient * sum w^2}, gradient {@code coefficient * w}. Both are added
 * to the batch-mean loss, as in the regularisation study.
 *
 * @param kind L1 or L2
 * @param coefficient the strength, positive and finite
 */
public record Penalty(Kind kind, double coefficient) {

    /** The kinds of penalty. */
    public enum Kind {
        L1,
        L2
    }

    /**
     * Checks the coefficient.
     *
     * @throws IllegalArgumentException if it is not positive and finite
     */
    public Penalty {
        java.util.Objects.requireNonNull(kind, "kind");
        if (!(coefficient > 0) || !Double.isFinite(coefficient)) {
            throw new IllegalArgumentException(
                    kind + " coefficient: expected a positive finite number, found " + coefficient);
        }
    }

    /** An L1 penalty {@code coefficient * sum |w|}. */
    public static Penalty l1(double coefficient) {
        return new Penalty(Kind.L1, coefficient);
    }

    /** An L2 penalty {@code 0.5 * coefficient * sum w^2}. */
    public static Penalty l2(double coefficient) {
        return new Penalty(Kind.L2, coefficient);
    }
}
