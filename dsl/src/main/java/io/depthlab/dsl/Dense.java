package io.depthlab.dsl;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An affine (fully connected) layer: {@code y = x W + b} with {@code W} of shape [inputs, units].
 *
 * @param name the layer name, empty until the network names it
 * @param units the number of outputs
 * @param bias whether the layer adds a bias vector
 * @param weightInit how the weights start
 * @param biasInit how the bias starts
 * @param penalties penalties on the weights
 */
public record Dense(
        String name,
        int units,
        boolean bias,
        Initializer weightInit,
        Initializer biasInit,
        List<Penalty> penalties)
        implements Layer {

    /** The default weight initializer: Glorot uniform. */
    public static final Initializer DEFAULT_WEIGHT_INIT = Initializer.glorotUniform();

    /** The default bias initializer: zeros. */
    public static final Initializer DEFAULT_BIAS_INIT = Initializer.zeros();

    /**
     * Checks every component. The static factory and its builder are the usual way to make this
     * layer; the constructor serves code that converts layers, such as {@link NetworkProtos}.
     *
     * @throws IllegalArgumentException naming the component, the expected range and the value
     */
    public Dense {
        Checks.name(name);
        Checks.positive(units, "dense units");
        Objects.requireNonNull(weightInit, "weightInit");
        Objects.requireNonNull(biasInit, "biasInit");
        penalties = Checks.penalties(penalties, "dense");
    }

    /** Starts a dense layer with {@code units} outputs. */
    public static Builder units(int units) {
        return new Builder(Checks.positive(units, "dense units"));
    }

    @Override
    public String kind() {
        return "dense";
    }

    @Override
    public Dense withName(String name) {
        return new Dense(name, units, bias, weightInit, biasInit, penalties);
    }

    @Override
    public Shape outputShape(Shape input) {
        Checks.vector(input, kind());
        return Shape.of(units);
    }

    @Override
    public long parameterCount(Shape input) {
        // Exact: a silently wrapped count would pass every later size check.
        return Math.addExact(Math.multiplyExact(input.size(), units), bias ? units : 0);
    }

    @Override
    public long flops(Shape input) {
        return Math.multiplyExact(Math.multiplyExact(2L, input.size()), units);
    }

    /** Optional properties of a dense layer; each may be set once. */
    public static final class Builder implements Layer.Builder {
        private final int units;
        private String name;
        private Boolean bias;
        private Initializer weightInit;
        private Initializer biasInit;
        private final List<Penalty> penalties = new ArrayList<>();

        private Builder(int units) {
            this.units = units;
        }

        /**
         * The layer name, unique in the network, without '.' or '/' (parameter tensors are named
         * {@code <layer>.<role>}); default: {@code <kind>_<n>}, given when the network is built.
         */
        public Builder name(String name) {
            Checks.unset(this.name, "dense name");
            this.name = Checks.name(name);
            return this;
        }

        /** Whether to add a bias; default true. */
        public Builder bias(boolean bias) {
            Checks.unset(this.bias, "dense bias");
            this.bias = bias;
            return this;
        }

        /** Default {@link #DEFAULT_WEIGHT_INIT}. */
        public Builder weightInit(Initializer weightInit) {
            Checks.unset(this.weightInit, "dense weightInit");
            this.weightInit = Objects.requireNonNull(weightInit, "weightInit");
            return this;
        }

        /** Default {@link #DEFAULT_BIAS_INIT}. */
        public Builder biasInit(Initializer biasInit) {
            Checks.unset(this.biasInit, "dense biasInit");
            this.biasInit = Objects.requireNonNull(biasInit, "biasInit");
            return this;
        }

        /** Adds an L1 penalty on this layer's weights. */
        public Builder l1(double coefficient) {
            return penalty(Penalty.l1(coefficient));
        }

        /** Adds an L2 penalty on this layer's weights. */
        public Builder l2(double coefficient) {
            return penalty(Penalty.l2(coefficient));
        }

        private Builder penalty(Penalty penalty) {
            Checks.addPenalty(penalties, penalty);
            return this;
        }

        @Override
        public Dense build() {
            return new Dense(
                    name == null ? "" : name,
                    units,
                    bias == null || bias,
                    weightInit == null ? DEFAULT_WEIGHT_INIT : weightInit,
                    biasInit == null ? DEFAULT_BIAS_INIT : biasInit,
                    penalties);
        }
    }
}
