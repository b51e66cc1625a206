package io.depthlab.dsl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A sequential network specification: an input shape, layers in order and network-wide weight
 * penalties. Instances are immutable and valid: every layer is named, names are unique, and the
 * shapes were inferred and checked when the network was built.
 *
 * <pre>{@code
 * Network mlp = Network.sequential("emnist-mlp")
 *     .input(784)
 *     .layer(Dense.units(100))
 *     .layer(Activation.relu())
 *     .layer(Dropout.dropRate(0.1))
 *     .layer(Dense.units(47))
 *     .layer(SoftmaxOutput.create())
 *     .l2(1e-4)
 *     .build();
 * }</pre>
 */
public final class Network {
    private final String name;
    private final Shape inputShape;
    private final List<Layer> layers;
    private final List<Penalty> penalties;
    private final List<Shape> outputShapes;

    private Network(String name, Shape inputShape, List<Layer> layers, List<Penalty> penalties) {
        this.name = name;
        this.inputShape = inputShape;
        this.layers = List.copyOf(layers);
        this.penalties = List.copyOf(penalties);
        this.outputShapes = inferShapes(inputShape, this.layers);
    }

    /** Starts a sequential network; {@code name} names the model, e.g. in served metadata. */
    public static Builder sequential(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("network name: expected a non-blank name");
        }
        return new Builder(name);
    }

    /**
     * Builds a network from already named layers, as read back from a file; checks the same rules
     * as the builder.
     */
    public static Network of(
            String name, Shape inputShape, List<Layer> layers, List<Penalty> penalties) {
        Builder builder = sequential(name).input(inputShape.toArray());
        layers.forEach(builder::layer);
        penalties.forEach(builder::penalty);
        return builder.build();
    }

    public String name() {
        return name;
    }

    /** The shape of one input example. */
    public Shape inputShape() {
        return inputShape;
    }

    public List<Layer> layers() {
        return layers;
    }

    /** Penalties on every weight tensor of the network, on top of each layer's own. */
    public List<Penalty> penalties() {
        return penalties;
    }

    /** The shape that layer {@code index} receives. */
    public Shape inputShapeOf(int index) {
        Objects.checkIndex(index, layers.size());
        return index == 0 ? inputShape : outputShapes.get(index - 1);
    }

    /** The shape that layer {@code index} produces. */
    public Shape outputShapeOf(int index) {
        return outputShapes.get(index);
    }

    /** The shape of the network's output. */
    public Shape outputShape() {
        return outputShapes.get(outputShapes.size() - 1);
    }

    /** The number of trained parameters. */
    public long parameterCount() {
        long count = 0;
        for (int i = 0; i < layers.size(); i++) {
            count += layers.get(i).parameterCount(inputShapeOf(i));
        }
        return count;
    }

    /** Forward floating-point operations per example (see {@link Layer#flops}). */
    public long flops() {
        long flops = 0;
        for (int i = 0; i < layers.size(); i++) {
            flops += layers.get(i).flops(inputShapeOf(i));
        }
        return flops;
    }

    /** A table of the layers: name, kind, output shape, parameters and FLOPs, with totals. */
    public String summary() {
        return NetworkSummary.render(this);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Network that
                && name.equals(that.name)
                && inputShape.equals(that.inputShape)
                && layers.equals(that.layers)
                && penalties.equals(that.penalties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, inputShape, layers, penalties);
    }

    @Override
    public String toString() {
        return "Network[" + name + ", input " + inputShape + ", " + layers.size() + " layers]";
    }

    private static List<Shape> inferShapes(Shape input, List<Layer> layers) {
        List<Shape> shapes = new ArrayList<>();
        Shape shape = input;
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            try {
                shape = layer.outputShape(shape);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        String.format("layer %d '%s': %s", i, layer.name(), e.getMessage()), e);
            }
            shapes.add(shape);
        }
        return shapes;
    }

    /** Collects the input, layers and penalties of a network; {@link #build()} checks them. */
    public static final class Builder {
        private final String name;
        private Shape input;
        private final List<Layer> layers = new ArrayList<>();
        private final List<Penalty> penalties = new ArrayList<>();

        private Builder(String name) {
            this.name = name;
        }

        /** The shape of one example, e.g. {@code input(784)} or {@code input(3, 32, 32)}. */
        public Builder input(int... dims) {
            Checks.unset(input, "input");
            input = Shape.of(dims);
            return this;
        }

        public Builder layer(Layer.Builder layer) {
            return layer(Objects.requireNonNull(layer, "layer").build());
        }

        public Builder layer(Layer layer) {
            layers.add(Objects.requireNonNull(layer, "layer"));
            return this;
        }

        /** Adds an L1 penalty on every weight tensor. */
        public Builder l1(double coefficient) {
            return penalty(Penalty.l1(coefficient));
        }

        /** Adds an L2 penalty on every weight tensor. */
        public Builder l2(double coefficient) {
            return penalty(Penalty.l2(coefficient));
        }

        Builder penalty(Penalty penalty) {
            Checks.addPenalty(penalties, penalty);
            return this;
        }

        /**
         * Names unnamed layers, adds the projections residual blocks need, infers every shape and
         * returns the network.
         *
         * @throws IllegalStateException if the input or every layer is missing
         * @throws IllegalArgumentException naming the layer index, the rule and the shapes when a
         *     layer cannot take its input, a name repeats, or the softmax output is not last
         */
        public Network build() {
            if (input == null) {
                throw new IllegalStateException("network '" + name + "': the input is not set");
            }
            if (layers.isEmpty()) {
                throw new IllegalStateException("network '" + name + "': it has no layers");
            }
            checkSoftmaxLast();
            List<Layer> named = new Namer().nameAll(input, layers);
            return new Network(name, input, named, penalties);
        }

        private void checkSoftmaxLast() {
            for (int i = 0; i < layers.size() - 1; i++) {
                if (layers.get(i) instanceof SoftmaxOutput) {
                    throw new IllegalArgumentException(
                            String.format(
                                    "layer %d '%s': a softmax output must be the last layer,"
                                            + " found %d layers after it",
                                    i, layers.get(i).name(), layers.size() - 1 - i));
                }
            }
        }
    }

    /** Gives unnamed layers the name {@code <kind>_<n>} and checks that names are unique. */
    private static final class Namer {
        private final Map<String, Integer> counts = new HashMap<>();
        private final Set<String> used = new HashSet<>();

        List<Layer> nameAll(Shape input, List<Layer> layers) {
            for (Layer layer : layers) {
                reserve(layer);
            }
            List<Layer> named = new ArrayList<>();
            Shape shape = input;
            for (int i = 0; i < layers.size(); i++) {
                Layer layer = name(layers.get(i), shape, i);
                named.add(layer);
                shape = outputOf(layer, shape, i);
            }
            return named;
        }

        private void reserve(Layer layer) {
            if (!layer.name().isEmpty() && !used.add(layer.name())) {
                throw new IllegalArgumentException(
                        "layer name '" + layer.name() + "' is used twice; names must be unique");
            }
            if (layer instanceof Residual residual) {
                residual.body().forEach(this::reserve);
                residual.projection().ifPresent(this::reserve);
                residual.activation().ifPresent(this::reserve);
            }
        }

        private Layer name(Layer layer, Shape input, int index) {
            Layer named = layer.name().isEmpty() ? layer.withName(fresh(layer.kind())) : layer;
            if (!(named instanceof Residual residual)) {
                return named;
            }
            List<Layer> body = new ArrayList<>();
            for (Layer inner : residual.body()) {
                body.add(inner.name().isEmpty() ? inner.withName(fresh(inner.kind())) : inner);
            }
            Residual withBody = residual.with(body, residual.projection(), null);
            Shape bodyOutput = outputOf(withBody, input, index, true);
            Optional<Conv2d> projection = residual.projection();
            if (projection.isEmpty()) {
                projection = projectionOf(input, bodyOutput, residual.name(), index);
                projection.ifPresent(p -> used.add(p.name()));
            }
            Activation activation =
                    residual.activation()
                            .map(a -> a.name().isEmpty() ? a.withName(fresh(a.kind())) : a)
                            .orElse(null);
            return withBody.with(body, projection, activation);
        }

        private Optional<Conv2d> projectionOf(
                Shape input, Shape bodyOutput, String blockName, int index) {
            try {
                return Residual.projectionFor(input, bodyOutput, blockName);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        String.format("layer %d '%s': %s", index, blockName, e.getMessage()), e);
            }
        }

        private Shape outputOf(Layer layer, Shape input, int index) {
            return outputOf(layer, input, index, false);
        }

        private Shape outputOf(Layer layer, Shape input, int index, boolean bodyOnly) {
            try {
                return bodyOnly
                        ? ((Residual) layer).bodyOutputShape(input)
                        : layer.outputShape(input);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        String.format("layer %d '%s': %s", index, layer.name(), e.getMessage()), e);
            }
        }

        private String fresh(String kind) {
            String candidate;
            do {
                int n = counts.merge(kind, 1, Integer::sum);
                candidate = kind + "_" + n;
            } while (!used.add(candidate));
            return candidate;
        }
    }
}
