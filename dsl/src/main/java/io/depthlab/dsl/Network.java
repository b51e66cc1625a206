package io.depthlab.dsl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

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
    private final long parameterCount;
    private final long flops;

    private Network(String name, Shape inputShape, List<Layer> layers, List<Penalty> penalties) {
        this.name = name;
        this.inputShape = inputShape;
        this.layers = List.copyOf(layers);
        this.penalties = List.copyOf(penalties);
        this.outputShapes = inferShapes(inputShape, this.layers);
        this.parameterCount = total(true);
        this.flops = total(false);
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

    /** The network's name, e.g. {@code vgg-38-bn-res}; never blank. */
    public String name() {
        return name;
    }

    /** The shape of one input example. */
    public Shape inputShape() {
        return inputShape;
    }

    /** The layers in order, every one named; residual blocks hold their own layers. */
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

    /**
     * The number of trained parameters: weights, biases and batch-norm scales and shifts (running
     * statistics are not trained and not counted).
     */
    public long parameterCount() {
        return parameterCount;
    }

    /** Forward floating-point operations per example (see {@link Layer#flops}). */
    public long flops() {
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

    /** Sums parameters or FLOPs over the layers, refusing totals that overflow a long. */
    private long total(boolean parameters) {
        long total = 0;
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            try {
                long count =
                        parameters
                                ? layer.parameterCount(inputShapeOf(i))
                                : layer.flops(inputShapeOf(i));
                total = Math.addExact(total, count);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(
                        String.format(
                                "layer %d '%s': expected a %s count that fits in a long, found an"
                                        + " overflow",
                                i, layer.name(), parameters ? "parameter" : "FLOP"),
                        e);
            }
        }
        return total;
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
            Checks.unset(input, "network input");
            input = Shape.of(dims);
            return this;
        }

        /** Appends the layer that {@code layer} builds; the builder is used once, now. */
        public Builder layer(Layer.Builder layer) {
            return layer(Objects.requireNonNull(layer, "layer").build());
        }

        /** Appends {@code layer}; an unnamed one is named when the network is built. */
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
         * returns the network. Layers are named in order, a residual block before its body and its
         * body before its activation; a projection added here is named after its block ({@code
         * residual_1_projection}).
         *
         * @throws IllegalStateException if the input or every layer is missing
         * @throws IllegalArgumentException naming the layer index, the rule and the shapes when a
         *     layer cannot take its input, a name repeats, or the softmax output is not last
         */
        public Network build() {
            if (input == null) {
                throw new IllegalStateException(
                        "network '"
                                + name
                                + "': expected an input shape, found none; call input()");
            }
            if (layers.isEmpty()) {
                throw new IllegalStateException(
                        "network '" + name + "': expected at least one layer, found none");
            }
            Namer namer = new Namer();
            List<Layer> named = namer.nameAll(layers);
            checkSoftmaxLast(named);
            List<Layer> complete = namer.addProjections(input, named);
            return new Network(name, input, complete, penalties);
        }

        private static void checkSoftmaxLast(List<Layer> layers) {
            for (int i = 0; i < layers.size() - 1; i++) {
                if (layers.get(i) instanceof SoftmaxOutput) {
                    throw new IllegalArgumentException(
                            String.format(
                                    "layer %d '%s': expected the softmax output to be the last"
                                            + " layer, found %d layers after it",
                                    i, layers.get(i).name(), layers.size() - 1 - i));
                }
            }
        }
    }

    /**
     * Gives unnamed layers the name {@code <kind>_<n>}, checks that names are unique (residual
     * bodies included) and adds the projections that residual shortcuts need.
     */
    private static final class Namer {
        private final Map<String, Integer> counts = new HashMap<>();

        /** Every name taken so far, with where it was first found, e.g. "layer 3 body layer 1". */
        private final Map<String, String> used = new HashMap<>();

        List<Layer> nameAll(List<Layer> layers) {
            for (int i = 0; i < layers.size(); i++) {
                reserve(layers.get(i), "layer " + i);
            }
            List<Layer> named = new ArrayList<>();
            for (int i = 0; i < layers.size(); i++) {
                named.add(name(layers.get(i), "layer " + i));
            }
            return named;
        }

        private void reserve(Layer layer, String where) {
            if (!layer.name().isEmpty()) {
                String first = used.putIfAbsent(layer.name(), where);
                if (first != null) {
                    throw new IllegalArgumentException(
                            String.format(
                                    "%s '%s': expected a unique name, found it already used by"
                                            + " %s",
                                    where, layer.name(), first));
                }
            }
            if (layer instanceof Residual residual) {
                for (int i = 0; i < residual.body().size(); i++) {
                    reserve(residual.body().get(i), where + " body layer " + i);
                }
                residual.projection().ifPresent(p -> reserve(p, where + " projection"));
                residual.activation().ifPresent(a -> reserve(a, where + " activation"));
            }
        }

        private Layer name(Layer layer, String where) {
            Layer named =
                    layer.name().isEmpty() ? layer.withName(fresh(layer.kind(), where)) : layer;
            if (!(named instanceof Residual residual)) {
                return named;
            }
            List<Layer> body = new ArrayList<>();
            for (int i = 0; i < residual.body().size(); i++) {
                body.add(name(residual.body().get(i), where + " body layer " + i));
            }
            Activation activation =
                    residual.activation()
                            .map(a -> (Activation) name(a, where + " activation"))
                            .orElse(null);
            return residual.with(body, residual.projection(), activation);
        }

        List<Layer> addProjections(Shape input, List<Layer> layers) {
            List<Layer> complete = new ArrayList<>();
            Shape shape = input;
            for (int i = 0; i < layers.size(); i++) {
                Layer layer = layers.get(i);
                try {
                    layer = withProjections(layer, shape, "layer " + i);
                    shape = layer.outputShape(shape);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(
                            String.format("layer %d '%s': %s", i, layer.name(), e.getMessage()), e);
                }
                complete.add(layer);
            }
            return complete;
        }

        /** Adds the missing projections of a residual block, its nested blocks first. */
        private Layer withProjections(Layer layer, Shape input, String where) {
            if (!(layer instanceof Residual residual)) {
                return layer;
            }
            List<Layer> body = new ArrayList<>();
            Shape shape = input;
            for (int i = 0; i < residual.body().size(); i++) {
                Layer inner = residual.body().get(i);
                try {
                    inner = withProjections(inner, shape, where + " body layer " + i);
                    shape = inner.outputShape(shape);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(
                            String.format(
                                    "body layer %d '%s': %s", i, inner.name(), e.getMessage()),
                            e);
                }
                body.add(inner);
            }
            Optional<Conv2d> projection = residual.projection();
            if (projection.isEmpty()) {
                projection = Residual.projectionFor(input, shape, residual.name());
                if (projection.isPresent()) {
                    reserveProjection(projection.get().name(), where);
                }
            }
            return residual.with(body, projection, residual.activation().orElse(null));
        }

        private void reserveProjection(String projectionName, String where) {
            String first = used.putIfAbsent(projectionName, where + " projection");
            if (first != null) {
                throw new IllegalArgumentException(
                        String.format(
                                "expected the name '%s' to be free for the shortcut's projection,"
                                        + " found it already used by %s",
                                projectionName, first));
            }
        }

        private String fresh(String kind, String where) {
            String candidate;
            do {
                int n = counts.merge(kind, 1, Integer::sum);
                candidate = kind + "_" + n;
            } while (used.putIfAbsent(candidate, where) != null);
            return candidate;
        }
    }
}
