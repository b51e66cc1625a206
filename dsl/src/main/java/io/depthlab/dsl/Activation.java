package io.depthlab.dsl;

import java.util.Objects;

/**
 * An elementwise activation function.
 *
 * @param name the layer name, empty until the network names it
 * @param function the function
 * @param negativeSlope {@link Function#LEAKY_RELU} only: the slope for negative inputs; 0 for the
 *     others
 */
public record Activation(String name, Function function, double negativeSlope) implements Layer {

    /** The functions. */
    public enum Function {
        RELU,
        LEAKY_RELU,
        SIGMOID,
        TANH
    }

    /**
     * Checks every component. The static factory and its builder are the usual way to make this
     * layer; the constructor serves code that converts layers, such as {@link NetworkProtos}.
     *
     * @throws IllegalArgumentException naming the component, the expected range and the value
     */
    public Activation {
        Checks.name(name);
        Objects.requireNonNull(function, "function");
        if (function == Function.LEAKY_RELU
                ? !(negativeSlope > 0 && negativeSlope < 1)
                : negativeSlope != 0) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s negative slope: expected %s, found %s",
                            function,
                            function == Function.LEAKY_RELU ? "a value in (0, 1)" : "0",
                            negativeSlope));
        }
    }

    /** {@code max(0, x)}. */
    public static Builder relu() {
        return new Builder(Function.RELU, 0);
    }

    /** {@code x} for positive inputs, {@code negativeSlope * x} otherwise; the study uses 0.01. */
    public static Builder leakyRelu(double negativeSlope) {
        new Activation("", Function.LEAKY_RELU, negativeSlope);
        return new Builder(Function.LEAKY_RELU, negativeSlope);
    }

    /** {@code 1 / (1 + exp(-x))}. */
    public static Builder sigmoid() {
        return new Builder(Function.SIGMOID, 0);
    }

    /** The hyperbolic tangent. */
    public static Builder tanh() {
        return new Builder(Function.TANH, 0);
    }

    @Override
    public String kind() {
        return function.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public Activation withName(String name) {
        return new Activation(name, function, negativeSlope);
    }

    @Override
    public Shape outputShape(Shape input) {
        return input;
    }

    /** Optional properties of an activation layer. */
    public static final class Builder implements Layer.Builder {
        private final Function function;
        private final double negativeSlope;
        private String name;

        private Builder(Function function, double negativeSlope) {
            this.function = function;
            this.negativeSlope = negativeSlope;
        }

        /**
         * The layer name, unique in the network, without '.' or '/' (parameter tensors are named
         * {@code <layer>.<role>}); default: {@code <kind>_<n>}, given when the network is built.
         */
        public Builder name(String name) {
            Checks.unset(this.name, "activation name");
            this.name = Checks.name(name);
            return this;
        }

        @Override
        public Activation build() {
            return new Activation(name == null ? "" : name, function, negativeSlope);
        }
    }
}
