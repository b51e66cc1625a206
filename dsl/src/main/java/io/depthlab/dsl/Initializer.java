package io.depthlab.dsl;

import java.util.Objects;

/**
 * How a weight or bias tensor is filled before training. Fan-in and fan-out are those of the layer:
 * inputs and outputs of a dense layer; {@code channels * kernel area} in and {@code filters *
 * kernel area} out for a convolution.
 *
 * @param kind the distribution
 * @param a {@link Kind#CONSTANT}: the value; {@link Kind#UNIFORM}: the lower bound; {@link
 *     Kind#NORMAL}: the mean; otherwise 0
 * @param b {@link Kind#UNIFORM}: the upper bound; {@link Kind#NORMAL}: the standard deviation;
 *     otherwise 0
 */
public record Initializer(Kind kind, double a, double b) {

    /** The distributions. */
    public enum Kind {
        /** All zeros. */
        ZEROS,
        /** Every value {@code a}. */
        CONSTANT,
        /** Uniform in {@code [a, b)}. */
        UNIFORM,
        /** Normal with mean {@code a} and standard deviation {@code b}. */
        NORMAL,
        /** Uniform in +-sqrt(6 / (fanIn + fanOut)) (Glorot and Bengio, 2010). */
        GLOROT_UNIFORM,
        /** Normal with standard deviation sqrt(2 / (fanIn + fanOut)) (Glorot and Bengio, 2010). */
        GLOROT_NORMAL,
        /** Normal with standard deviation sqrt(2 / fanIn) (He et al., 2015). */
        HE_NORMAL,
        /** Uniform in +-sqrt(6 / fanIn) (He et al., 2015). */
        HE_UNIFORM,
        /** Uniform in +-1/sqrt(fanIn), PyTorch's default for linear and convolution layers. */
        FAN_IN_UNIFORM
    }

    /**
     * Checks the parameters: finite, {@code a < b} for uniform, {@code b >= 0} for normal, 0 where
     * the kind does not use them.
     *
     * @throws IllegalArgumentException naming the kind, the rule and the values
     */
    public Initializer {
        Objects.requireNonNull(kind, "kind");
        if (!Double.isFinite(a) || !Double.isFinite(b)) {
            throw new IllegalArgumentException(
                    kind + " initializer: expected finite parameters, found " + a + ", " + b);
        }
        if (kind == Kind.UNIFORM && !(a < b)) {
            throw new IllegalArgumentException(
                    "uniform initializer: expected low < high, found [" + a + ", " + b + ")");
        }
        if (kind == Kind.NORMAL && !(b >= 0)) {
            throw new IllegalArgumentException(
                    "normal initializer: expected a standard deviation >= 0, found " + b);
        }
        // Unused parameters must be 0 so that equal initializers are equal records and a file
        // cannot carry values that nothing reads.
        boolean usesA = kind == Kind.CONSTANT || kind == Kind.UNIFORM || kind == Kind.NORMAL;
        boolean usesB = kind == Kind.UNIFORM || kind == Kind.NORMAL;
        if (!usesA && a != 0 || !usesB && b != 0) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s initializer: expected 0 for the parameters it does not use,"
                                    + " found a = %s, b = %s",
                            kind, a, b));
        }
    }

    /** All zeros. */
    public static Initializer zeros() {
        return new Initializer(Kind.ZEROS, 0, 0);
    }

    /** Every value {@code value}. */
    public static Initializer constant(double value) {
        return new Initializer(Kind.CONSTANT, value, 0);
    }

    /** Uniform in {@code [low, high)}; {@code low < high}. */
    public static Initializer uniform(double low, double high) {
        return new Initializer(Kind.UNIFORM, low, high);
    }

    /** Normal with the given mean and standard deviation (at least 0). */
    public static Initializer normal(double mean, double standardDeviation) {
        return new Initializer(Kind.NORMAL, mean, standardDeviation);
    }

    /** Glorot uniform, see {@link Kind#GLOROT_UNIFORM}. */
    public static Initializer glorotUniform() {
        return new Initializer(Kind.GLOROT_UNIFORM, 0, 0);
    }

    /** Glorot normal, see {@link Kind#GLOROT_NORMAL}. */
    public static Initializer glorotNormal() {
        return new Initializer(Kind.GLOROT_NORMAL, 0, 0);
    }

    /** He normal, see {@link Kind#HE_NORMAL}. */
    public static Initializer heNormal() {
        return new Initializer(Kind.HE_NORMAL, 0, 0);
    }

    /** He uniform, see {@link Kind#HE_UNIFORM}. */
    public static Initializer heUniform() {
        return new Initializer(Kind.HE_UNIFORM, 0, 0);
    }

    /** Uniform in +-1/sqrt(fanIn), see {@link Kind#FAN_IN_UNIFORM}; the study's initialisation. */
    public static Initializer fanInUniform() {
        return new Initializer(Kind.FAN_IN_UNIFORM, 0, 0);
    }
}
