package io.depthlab.dsl;

/**
 * Batch normalisation (Ioffe and Szegedy, 2015) over the channels of an image, or the features of a
 * vector. While training it normalises with the batch's statistics and updates running ones: {@code
 * running = (1 - momentum) * running + momentum * batch}; at inference it uses the running
 * statistics. Learns a scale (gamma) and a shift (beta) per channel.
 *
 * @param name the layer name, empty until the network names it
 * @param momentum the weight of the newest batch in the running statistics, in (0, 1)
 * @param epsilon added to the variance before the square root, positive
 */
public record BatchNorm(String name, double momentum, double epsilon) implements Layer {

    /** The default momentum, PyTorch's: {@value}. */
    public static final double DEFAULT_MOMENTUM = 0.1;

    /** The default epsilon, PyTorch's: {@value}. */
    public static final double DEFAULT_EPSILON = 1e-5;

    /**
     * Checks every component. The static factory and its builder are the usual way to make this
     * layer; the constructor serves code that converts layers, such as {@link NetworkProtos}.
     *
     * @throws IllegalArgumentException naming the component, the expected range and the value
     */
    public BatchNorm {
        Checks.name(name);
        if (!(momentum > 0 && momentum < 1)) {
            throw new IllegalArgumentException(
                    "batch norm momentum: expected a value in (0, 1), found " + momentum);
        }
        if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
            throw new IllegalArgumentException(
                    "batch norm epsilon: expected a positive number, found " + epsilon);
        }
    }

    /** Starts a batch normalisation layer with the default momentum and epsilon. */
    public static Builder create() {
        return new Builder();
    }

    @Override
    public String kind() {
        return "batch_norm";
    }

    @Override
    public BatchNorm withName(String name) {
        return new BatchNorm(name, momentum, epsilon);
    }

    @Override
    public Shape outputShape(Shape input) {
        if (input.rank() != 1 && input.rank() != 3) {
            throw new IllegalArgumentException(
                    "batch_norm expects [features] or [channels, height, width], found " + input);
        }
        return input;
    }

    @Override
    public long parameterCount(Shape input) {
        return 2L * input.dim(0);
    }

    /** Optional properties of a batch normalisation layer; each may be set once. */
    public static final class Builder implements Layer.Builder {
        private String name;
        private Double momentum;
        private Double epsilon;

        private Builder() {}

        /**
         * The layer name, unique in the network, without '.' or '/' (parameter tensors are named
         * {@code <layer>.<role>}); default: {@code <kind>_<n>}, given when the network is built.
         */
        public Builder name(String name) {
            Checks.unset(this.name, "batch norm name");
            this.name = Checks.name(name);
            return this;
        }

        /** Default {@value #DEFAULT_MOMENTUM}. */
        public Builder momentum(double momentum) {
            Checks.unset(this.momentum, "batch norm momentum");
            new BatchNorm("", momentum, DEFAULT_EPSILON);
            this.momentum = momentum;
            return this;
        }

        /** Default {@value #DEFAULT_EPSILON}. */
        public Builder epsilon(double epsilon) {
            Checks.unset(this.epsilon, "batch norm epsilon");
            new BatchNorm("", DEFAULT_MOMENTUM, epsilon);
            this.epsilon = epsilon;
            return this;
        }

        @Override
        public BatchNorm build() {
            return new BatchNorm(
                    name == null ? "" : name,
                    momentum == null ? DEFAULT_MOMENTUM : momentum,
                    epsilon == null ? DEFAULT_EPSILON : epsilon);
        }
    }
}
