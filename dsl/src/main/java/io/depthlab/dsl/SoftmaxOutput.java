package io.depthlab.dsl;

/**
 * The classifier head: a softmax over the previous layer's outputs, one probability per class,
 * trained with cross-entropy. It must be the last layer, and its input is a vector of class scores.
 *
 * @param name the layer name, empty until the network names it
 */
public record SoftmaxOutput(String name) implements Layer {

    /**
     * Checks every component. The static factory and its builder are the usual way to make this
     * layer; the constructor serves code that converts layers, such as {@link NetworkProtos}.
     *
     * @throws IllegalArgumentException naming the component, the expected range and the value
     */
    public SoftmaxOutput {
        Checks.name(name);
    }

    /** A softmax output layer. */
    public static SoftmaxOutput create() {
        return new SoftmaxOutput("");
    }

    @Override
    public String kind() {
        return "softmax";
    }

    @Override
    public SoftmaxOutput withName(String name) {
        return new SoftmaxOutput(name);
    }

    @Override
    public Shape outputShape(Shape input) {
        Checks.vector(input, kind());
        if (input.dim(0) < 2) {
            throw new IllegalArgumentException(
                    "softmax expects at least 2 class scores, found " + input.dim(0));
        }
        return input;
    }
}
