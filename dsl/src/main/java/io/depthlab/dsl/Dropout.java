package io.depthlab.dsl;

/**
 * Inverted dropout. While training, each value is zeroed with probability {@code dropRate} and the
 * survivors are scaled by {@code 1 / (1 - dropRate)}, with a fresh mask for every example; at
 * inference the layer passes its input through unchanged.
 *
 * <p>The study's course framework took the inclusion probability instead: its keep 0.9 is {@code
 * dropRate(0.1)} here.
 *
 * @param name the layer name, empty until the network names it
 * @param dropRate the probability that a value is zeroed, in [0, 1)
 */
public record Dropout(String name, double dropRate) implements Layer {

    /**
     * Checks every component. The static factory and its builder are the usual way to make this
     * layer; the constructor serves code that converts layers, such as {@link NetworkProtos}.
     *
     * @throws IllegalArgumentException naming the component, the expected range and the value
     */
    public Dropout {
        Checks.name(name);
        if (!(dropRate >= 0 && dropRate < 1)) {
            throw new IllegalArgumentException(
                    "dropout drop rate: expected a probability in [0, 1), found " + dropRate);
        }
    }

    /** Drops each value with probability {@code dropRate} while training. */
    public static Builder dropRate(double dropRate) {
        new Dropout("", dropRate);
        return new Builder(dropRate);
    }

    @Override
    public String kind() {
        return "dropout";
    }

    @Override
    public Dropout withName(String name) {
        return new Dropout(name, dropRate);
    }

    @Override
    public Shape outputShape(Shape input) {
        return input;
    }

    /** Optional properties of a dropout layer. */
    public static final class Builder implements Layer.Builder {
        private final double dropRate;
        private String name;

        private Builder(double dropRate) {
            this.dropRate = dropRate;
        }

        /**
         * The layer name, unique in the network, without '.' or '/' (parameter tensors are named
         * {@code <layer>.<role>}); default: {@code <kind>_<n>}, given when the network is built.
         */
        public Builder name(String name) {
            Checks.unset(this.name, "dropout name");
            this.name = Checks.name(name);
            return this;
        }

        @Override
        public Dropout build() {
            return new Dropout(name == null ? "" : name, dropRate);
        }
    }
}
