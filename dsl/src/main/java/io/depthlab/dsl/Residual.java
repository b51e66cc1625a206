package io.depthlab.dsl;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A residual block (He et al., 2016): {@code activation(body(x) + shortcut(x))}. The shortcut is
 * the identity when the body keeps the shape, and a 1x1 convolution without bias (the projection)
 * when it does not; {@link Network.Builder#build()} adds that projection.
 *
 * @param name the block name, empty until the network names it
 * @param body the layers of the main branch, in order
 * @param projection the shortcut's 1x1 convolution, empty for the identity
 * @param activation applied after the sum, empty for none
 */
public record Residual(
        String name, List<Layer> body, Optional<Conv2d> projection, Optional<Activation> activation)
        implements Layer {

    /**
     * Checks every component. The static factory and its builder are the usual way to make this
     * layer; the constructor serves code that converts layers, such as {@link NetworkProtos}.
     *
     * @throws IllegalArgumentException naming the component, the expected range and the value
     */
    public Residual {
        Checks.name(name);
        body = List.copyOf(body);
        Objects.requireNonNull(projection, "projection");
        Objects.requireNonNull(activation, "activation");
        if (body.isEmpty()) {
            throw new IllegalArgumentException("residual: the body needs at least one layer");
        }
        if (body.stream().anyMatch(SoftmaxOutput.class::isInstance)) {
            throw new IllegalArgumentException("residual: a softmax output cannot be in a body");
        }
    }

    /** Starts a residual block whose main branch is {@code body}, in order. */
    public static Builder body(Layer.Builder... body) {
        List<Layer> layers = new ArrayList<>();
        for (Layer.Builder layer : body) {
            layers.add(Objects.requireNonNull(layer, "body layer").build());
        }
        return new Builder(layers);
    }

    @Override
    public String kind() {
        return "residual";
    }

    @Override
    public Residual withName(String name) {
        return new Residual(name, body, projection, activation);
    }

    /** A copy with another body, projection and activation, e.g. with every layer named. */
    public Residual with(List<Layer> body, Optional<Conv2d> projection, Activation activation) {
        return new Residual(name, body, projection, Optional.ofNullable(activation));
    }

    /** The shape the body produces from {@code input}, checking every body layer. */
    public Shape bodyOutputShape(Shape input) {
        Shape shape = input;
        for (int i = 0; i < body.size(); i++) {
            Layer layer = body.get(i);
            try {
                shape = layer.outputShape(shape);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        String.format("body layer %d '%s': %s", i, layer.name(), e.getMessage()),
                        e);
            }
        }
        return shape;
    }

    @Override
    public Shape outputShape(Shape input) {
        Shape out = bodyOutputShape(input);
        Shape shortcut = projection.map(p -> p.outputShape(input)).orElse(input);
        if (!shortcut.equals(out)) {
            throw new IllegalArgumentException(
                    String.format(
                            "residual branches disagree: the body gives %s, the %s shortcut"
                                    + " gives %s",
                            out, projection.isPresent() ? "projection" : "identity", shortcut));
        }
        return out;
    }

    @Override
    public long parameterCount(Shape input) {
        long count = projection.map(p -> p.parameterCount(input)).orElse(0L);
        Shape shape = input;
        for (Layer layer : body) {
            count = Math.addExact(count, layer.parameterCount(shape));
            shape = layer.outputShape(shape);
        }
        return count;
    }

    @Override
    public long flops(Shape input) {
        long flops = projection.map(p -> p.flops(input)).orElse(0L);
        Shape shape = input;
        for (Layer layer : body) {
            flops = Math.addExact(flops, layer.flops(shape));
            shape = layer.outputShape(shape);
        }
        return flops;
    }

    /**
     * The projection a shortcut needs to match {@code bodyOutput}, or empty when the identity fits.
     * A 1x1 convolution with stride s turns n rows into ceil(n / s), so the stride on each axis is
     * ceil(input / output): 32 to 16 and 7 to 4 both take stride 2.
     */
    static Optional<Conv2d> projectionFor(Shape input, Shape bodyOutput, String blockName) {
        if (input.equals(bodyOutput)) {
            return Optional.empty();
        }
        if (input.rank() != 3 || bodyOutput.rank() != 3) {
            throw new IllegalArgumentException(
                    String.format(
                            "residual branches disagree: the body turns %s into %s, and only"
                                    + " image shapes can be matched by a 1x1 projection",
                            input, bodyOutput));
        }
        int strideHeight = ceilDiv(input.dim(1), bodyOutput.dim(1));
        int strideWidth = ceilDiv(input.dim(2), bodyOutput.dim(2));
        Conv2d projection =
                new Conv2d(
                        blockName.isEmpty() ? "" : blockName + "_projection",
                        bodyOutput.dim(0),
                        1,
                        1,
                        strideHeight,
                        strideWidth,
                        0,
                        0,
                        false,
                        Conv2d.DEFAULT_WEIGHT_INIT,
                        Conv2d.DEFAULT_BIAS_INIT,
                        List.of());
        if (!projection.outputShape(input).equals(bodyOutput)) {
            throw new IllegalArgumentException(
                    String.format(
                            "residual branches disagree: the body turns %s into %s, which no"
                                    + " strided 1x1 projection can match",
                            input, bodyOutput));
        }
        return Optional.of(projection);
    }

    private static int ceilDiv(int a, int b) {
        return (int) (((long) a + b - 1) / b);
    }

    /** Optional properties of a residual block. */
    public static final class Builder implements Layer.Builder {
        private final List<Layer> body;
        private String name;
        private Activation activation;

        private Builder(List<Layer> body) {
            this.body = body;
        }

        /**
         * The layer name, unique in the network, without '.' or '/' (parameter tensors are named
         * {@code <layer>.<role>}); default: {@code <kind>_<n>}, given when the network is built.
         */
        public Builder name(String name) {
            Checks.unset(this.name, "residual name");
            this.name = Checks.name(name);
            return this;
        }

        /** The activation after the sum; default none. */
        public Builder activation(Activation.Builder activation) {
            Checks.unset(this.activation, "residual activation");
            this.activation = Objects.requireNonNull(activation, "activation").build();
            return this;
        }

        @Override
        public Residual build() {
            return new Residual(
                    name == null ? "" : name,
                    body,
                    Optional.empty(),
                    Optional.ofNullable(activation));
        }
    }
}
