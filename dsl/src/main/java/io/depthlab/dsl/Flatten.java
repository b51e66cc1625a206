package io.depthlab.dsl;

/**
 * Reshapes each example to a vector, keeping the values in row-major order.
 *
 * @param name the layer name, empty until the network names it
 */
public record Flatten(String name) implements Layer {

    /**
     * Checks every component. The static factory and its builder are the usual way to make this
     * layer; the constructor serves code that converts layers, such as {@link NetworkProtos}.
     *
     * @throws IllegalArgumentException naming the component, the expected range and the value
     */
    public Flatten {
        Checks.name(name);
    }

    /** A flatten layer; it has no properties besides its name. */
    public static Flatten create() {
        return new Flatten("");
    }

    @Override
    public String kind() {
        return "flatten";
    }

    @Override
    public Flatten withName(String name) {
        return new Flatten(name);
    }

    @Override
    public Shape outputShape(Shape input) {
        if (input.size() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    String.format(
                            "flatten: expected at most %d values per example, found %d in %s",
                            Integer.MAX_VALUE, input.size(), input));
        }
        return Shape.of((int) input.size());
    }
}
