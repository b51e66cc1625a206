package io.depthlab.dsl;

/**
 * Averages each channel over its whole map: [channels, height, width] to [channels].
 *
 * @param name the layer name, empty until the network names it
 */
public record GlobalAveragePool(String name) implements Layer {

    /**
     * Checks every component. The static factory and its builder are the usual way to make this
     * layer; the constructor serves code that converts layers, such as {@link NetworkProtos}.
     *
     * @throws IllegalArgumentException naming the component, the expected range and the value
     */
    public GlobalAveragePool {
        Checks.name(name);
    }

    /** A global average pooling layer; it has no properties besides its name. */
    public static GlobalAveragePool create() {
        return new GlobalAveragePool("");
    }

    @Override
    public String kind() {
        return "global_average_pool";
    }

    @Override
    public GlobalAveragePool withName(String name) {
        return new GlobalAveragePool(name);
    }

    @Override
    public Shape outputShape(Shape input) {
        Checks.image(input, kind());
        return Shape.of(input.dim(0));
    }
}
