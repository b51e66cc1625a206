package io.depthlab.dsl;

/**
 * Reshapes each example to a vector, keeping the values in row-major order.
 *
 * @param name the layer name, empty until the network names it
 */
public record Flatten(String name) implements Layer {

    public Flatten {
        Checks.name(name);
    }

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
        return Shape.of(Math.toIntExact(input.size()));
    }
}
