package io.depthlab.dsl;

import io.depthlab.proto.bundle.LayerSpec;
import io.depthlab.proto.bundle.NetworkSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Converts networks to and from {@link NetworkSpec}, the network part of a model bundle.
 *
 * <p>{@code fromProto(toProto(network))} equals {@code network} for every network.
 *
 * <p>{@link #fromProto} treats the message as untrusted input: anything {@link #toProto} would not
 * have written (a missing layer kind, an unknown or unspecified enum value, a missing initializer,
 * a zero kernel, penalties on a layer without weights, a residual block that needs a projection but
 * has none) is an {@link IllegalArgumentException} that names the layer, what was expected and what
 * was found. Stateless and thread-safe.
 */
public final class NetworkProtos {

    private NetworkProtos() {}

    /** The message for {@code network}; every layer is written with its name and all properties. */
    public static NetworkSpec toProto(Network network) {
        Objects.requireNonNull(network, "network");
        NetworkSpec.Builder spec = NetworkSpec.newBuilder().setName(network.name());
        for (int dim : network.inputShape().dims()) {
            spec.addInputShape(dim);
        }
        for (Layer layer : network.layers()) {
            spec.addLayers(layerToProto(layer));
        }
        for (Penalty penalty : network.penalties()) {
            spec.addPenalties(penaltyToProto(penalty));
        }
        return spec.build();
    }

    /**
     * The network {@code spec} describes, checked like a network built in code.
     *
     * @throws IllegalArgumentException naming the network, the layer (index and name, and the path
     *     into residual bodies), what was expected and what was found, when the message is not one
     *     that {@link #toProto} could have written
     */
    public static Network fromProto(NetworkSpec spec) {
        Objects.requireNonNull(spec, "spec");
        try {
            Network network = networkFromProto(spec);
            checkProjections(spec.getLayersList(), network.layers(), network.inputShape(), "");
            return network;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "network spec '" + spec.getName() + "': " + e.getMessage(), e);
        }
    }

    private static Network networkFromProto(NetworkSpec spec) {
        if (spec.getName().isBlank()) {
            throw new IllegalArgumentException("expected a network name, found none");
        }
        Shape input = shapeFromProto(spec.getInputShapeList());
        if (spec.getLayersCount() == 0) {
            throw new IllegalArgumentException("expected at least one layer, found none");
        }
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < spec.getLayersCount(); i++) {
            layers.add(layerFromProto(spec.getLayers(i), "layer " + i));
        }
        List<Penalty> penalties = penaltiesFromProto(spec.getPenaltiesList(), "network");
        return Network.of(spec.getName(), input, layers, penalties);
    }

    private static Shape shapeFromProto(List<Long> dims) {
        if (dims.isEmpty()) {
            throw new IllegalArgumentException(
                    "input shape: expected 1 or more dimensions, found 0");
        }
        int[] shape = new int[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            long dim = dims.get(i);
            if (dim < 1 || dim > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(
                        String.format(
                                "input shape: expected dimensions in [1, %d], found %s",
                                Integer.MAX_VALUE, dims));
            }
            shape[i] = (int) dim;
        }
        return Shape.of(shape);
    }

    // ---- Network to message ----

    private static LayerSpec layerToProto(Layer layer) {
        LayerSpec.Builder spec = LayerSpec.newBuilder().setName(layer.name());
        for (Penalty penalty : layer.penalties()) {
            spec.addPenalties(penaltyToProto(penalty));
        }
        // Java 17 has no pattern switch; Layer is sealed, so the chain covers every kind.
        if (layer instanceof Dense dense) {
            spec.setDense(denseToProto(dense));
        } else if (layer instanceof Activation activation) {
            spec.setActivation(activationToProto(activation));
        } else if (layer instanceof Dropout dropout) {
            spec.setDropout(
                    io.depthlab.proto.bundle.Dropout.newBuilder().setDropRate(dropout.dropRate()));
        } else if (layer instanceof SoftmaxOutput) {
            spec.setSoftmaxOutput(io.depthlab.proto.bundle.SoftmaxOutput.getDefaultInstance());
        } else if (layer instanceof Conv2d conv) {
            spec.setConv2D(convToProto(conv));
        } else if (layer instanceof BatchNorm norm) {
            spec.setBatchNorm(
                    io.depthlab.proto.bundle.BatchNorm.newBuilder()
                            .setMomentum(norm.momentum())
                            .setEpsilon(norm.epsilon()));
        } else if (layer instanceof Pool2d pool) {
            spec.setPool2D(poolToProto(pool));
        } else if (layer instanceof GlobalAveragePool) {
            spec.setGlobalAveragePool(
                    io.depthlab.proto.bundle.GlobalAveragePool.getDefaultInstance());
        } else if (layer instanceof Flatten) {
            spec.setFlatten(io.depthlab.proto.bundle.Flatten.getDefaultInstance());
        } else if (layer instanceof Residual residual) {
            spec.setResidual(residualToProto(residual));
        } else {
            throw new IllegalStateException("no conversion for layer kind " + layer.kind());
        }
        return spec.build();
    }

    private static io.depthlab.proto.bundle.Dense denseToProto(Dense dense) {
        return io.depthlab.proto.bundle.Dense.newBuilder()
                .setUnits(dense.units())
                .setBias(dense.bias())
                .setWeightInit(initializerToProto(dense.weightInit()))
                .setBiasInit(initializerToProto(dense.biasInit()))
                .build();
    }

    private static io.depthlab.proto.bundle.Activation activationToProto(Activation activation) {
        io.depthlab.proto.bundle.Activation.Kind kind =
                switch (activation.function()) {
                    case RELU -> io.depthlab.proto.bundle.Activation.Kind.RELU;
                    case LEAKY_RELU -> io.depthlab.proto.bundle.Activation.Kind.LEAKY_RELU;
                    case SIGMOID -> io.depthlab.proto.bundle.Activation.Kind.SIGMOID;
                    case TANH -> io.depthlab.proto.bundle.Activation.Kind.TANH;
                };
        return io.depthlab.proto.bundle.Activation.newBuilder()
                .setKind(kind)
                .setNegativeSlope(activation.negativeSlope())
                .build();
    }

    private static io.depthlab.proto.bundle.Conv2d convToProto(Conv2d conv) {
        return io.depthlab.proto.bundle.Conv2d.newBuilder()
                .setFilters(conv.filters())
                .setKernelHeight(conv.kernelHeight())
                .setKernelWidth(conv.kernelWidth())
                .setStrideHeight(conv.strideHeight())
                .setStrideWidth(conv.strideWidth())
                .setPaddingHeight(conv.paddingHeight())
                .setPaddingWidth(conv.paddingWidth())
                .setBias(conv.bias())
                .setWeightInit(initializerToProto(conv.weightInit()))
                .setBiasInit(initializerToProto(conv.biasInit()))
                .build();
    }

    private static io.depthlab.proto.bundle.Pool2d poolToProto(Pool2d pool) {
        io.depthlab.proto.bundle.Pool2d.Kind kind =
                switch (pool.mode()) {
                    case MAX -> io.depthlab.proto.bundle.Pool2d.Kind.MAX;
                    case AVERAGE -> io.depthlab.proto.bundle.Pool2d.Kind.AVERAGE;
                };
        return io.depthlab.proto.bundle.Pool2d.newBuilder()
                .setKind(kind)
                .setKernelHeight(pool.kernelHeight())
                .setKernelWidth(pool.kernelWidth())
                .setStrideHeight(pool.strideHeight())
                .setStrideWidth(pool.strideWidth())
                .setPaddingHeight(pool.paddingHeight())
                .setPaddingWidth(pool.paddingWidth())
                .build();
    }

    private static io.depthlab.proto.bundle.Residual residualToProto(Residual residual) {
        io.depthlab.proto.bundle.Residual.Builder spec =
                io.depthlab.proto.bundle.Residual.newBuilder();
        for (Layer layer : residual.body()) {
            spec.addBody(layerToProto(layer));
        }
        residual.projection().ifPresent(p -> spec.setProjection(layerToProto(p)));
        residual.activation()
                .ifPresent(
                        a -> spec.setActivation(activationToProto(a)).setActivationName(a.name()));
        return spec.build();
    }

    private static io.depthlab.proto.bundle.Initializer initializerToProto(Initializer init) {
        io.depthlab.proto.bundle.Initializer.Builder spec =
                io.depthlab.proto.bundle.Initializer.newBuilder();
        switch (init.kind()) {
            case ZEROS -> spec.setKind(io.depthlab.proto.bundle.Initializer.Kind.ZEROS);
            case CONSTANT ->
                    spec.setKind(io.depthlab.proto.bundle.Initializer.Kind.CONSTANT)
                            .setValue(init.a());
            case UNIFORM ->
                    spec.setKind(io.depthlab.proto.bundle.Initializer.Kind.UNIFORM)
                            .setLow(init.a())
                            .setHigh(init.b());
            case NORMAL ->
                    spec.setKind(io.depthlab.proto.bundle.Initializer.Kind.NORMAL)
                            .setLow(init.a())
                            .setHigh(init.b());
            case GLOROT_UNIFORM ->
                    spec.setKind(io.depthlab.proto.bundle.Initializer.Kind.GLOROT_UNIFORM);
            case GLOROT_NORMAL ->
                    spec.setKind(io.depthlab.proto.bundle.Initializer.Kind.GLOROT_NORMAL);
            case HE_NORMAL -> spec.setKind(io.depthlab.proto.bundle.Initializer.Kind.HE_NORMAL);
            case HE_UNIFORM -> spec.setKind(io.depthlab.proto.bundle.Initializer.Kind.HE_UNIFORM);
            case FAN_IN_UNIFORM ->
                    spec.setKind(io.depthlab.proto.bundle.Initializer.Kind.FAN_IN_UNIFORM);
        }
        return spec.build();
    }

    private static io.depthlab.proto.bundle.Penalty penaltyToProto(Penalty penalty) {
        io.depthlab.proto.bundle.Penalty.Kind kind =
                switch (penalty.kind()) {
                    case L1 -> io.depthlab.proto.bundle.Penalty.Kind.L1;
                    case L2 -> io.depthlab.proto.bundle.Penalty.Kind.L2;
                };
        return io.depthlab.proto.bundle.Penalty.newBuilder()
                .setKind(kind)
                .setCoefficient(penalty.coefficient())
                .build();
    }

    // ---- Message to network ----

    /** Converts one layer; errors get {@code position} and the layer's name as a prefix. */
    private static Layer layerFromProto(LayerSpec spec, String position) {
        try {
            if (spec.getName().isEmpty()) {
                throw new IllegalArgumentException("expected a layer name, found none");
            }
            return layerKindFromProto(spec);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    String.format("%s '%s': %s", position, spec.getName(), e.getMessage()), e);
        }
    }

    private static Layer layerKindFromProto(LayerSpec spec) {
        String name = spec.getName();
        return switch (spec.getKindCase()) {
            case DENSE -> denseFromProto(spec);
            case CONV2D -> convFromProto(spec);
            case ACTIVATION -> {
                noPenalties(spec, "activation");
                yield activationFromProto(spec.getActivation(), name);
            }
            case DROPOUT -> {
                noPenalties(spec, "dropout");
                yield new Dropout(name, spec.getDropout().getDropRate());
            }
            case SOFTMAX_OUTPUT -> {
                noPenalties(spec, "softmax");
                yield new SoftmaxOutput(name);
            }
            case BATCH_NORM -> {
                noPenalties(spec, "batch_norm");
                io.depthlab.proto.bundle.BatchNorm norm = spec.getBatchNorm();
                yield new BatchNorm(name, norm.getMomentum(), norm.getEpsilon());
            }
            case POOL2D -> {
                noPenalties(spec, "pool2d");
                yield poolFromProto(spec.getPool2D(), name);
            }
            case GLOBAL_AVERAGE_POOL -> {
                noPenalties(spec, "global_average_pool");
                yield new GlobalAveragePool(name);
            }
            case FLATTEN -> {
                noPenalties(spec, "flatten");
                yield new Flatten(name);
            }
            case RESIDUAL -> {
                noPenalties(spec, "residual");
                yield residualFromProto(spec.getResidual(), name);
            }
            case KIND_NOT_SET ->
                    throw new IllegalArgumentException(
                            "expected one of the layer kinds (dense, activation, dropout,"
                                    + " softmax_output, conv2d, batch_norm, pool2d,"
                                    + " global_average_pool, flatten, residual), found none"
                                    + " (unset, or a kind newer than this reader)");
        };
    }

    private static void noPenalties(LayerSpec spec, String kind) {
        if (spec.getPenaltiesCount() > 0) {
            throw new IllegalArgumentException(
                    String.format(
                            "expected no penalties (a %s layer has no weights), found %d",
                            kind, spec.getPenaltiesCount()));
        }
    }

    private static Dense denseFromProto(LayerSpec spec) {
        io.depthlab.proto.bundle.Dense dense = spec.getDense();
        return new Dense(
                spec.getName(),
                uint(dense.getUnits(), "dense units"),
                dense.getBias(),
                initializerFromProto(dense.hasWeightInit(), dense.getWeightInit(), "weight_init"),
                initializerFromProto(dense.hasBiasInit(), dense.getBiasInit(), "bias_init"),
                penaltiesFromProto(spec.getPenaltiesList(), "dense"));
    }

    private static Conv2d convFromProto(LayerSpec spec) {
        io.depthlab.proto.bundle.Conv2d conv = spec.getConv2D();
        return new Conv2d(
                spec.getName(),
                uint(conv.getFilters(), "conv2d filters"),
                uint(conv.getKernelHeight(), "conv2d kernel_height"),
                uint(conv.getKernelWidth(), "conv2d kernel_width"),
                uint(conv.getStrideHeight(), "conv2d stride_height"),
                uint(conv.getStrideWidth(), "conv2d stride_width"),
                uint(conv.getPaddingHeight(), "conv2d padding_height"),
                uint(conv.getPaddingWidth(), "conv2d padding_width"),
                conv.getBias(),
                initializerFromProto(conv.hasWeightInit(), conv.getWeightInit(), "weight_init"),
                initializerFromProto(conv.hasBiasInit(), conv.getBiasInit(), "bias_init"),
                penaltiesFromProto(spec.getPenaltiesList(), "convolution"));
    }

    private static Activation activationFromProto(
            io.depthlab.proto.bundle.Activation spec, String name) {
        Activation.Function function =
                switch (spec.getKind()) {
                    case RELU -> Activation.Function.RELU;
                    case LEAKY_RELU -> Activation.Function.LEAKY_RELU;
                    case SIGMOID -> Activation.Function.SIGMOID;
                    case TANH -> Activation.Function.TANH;
                    case KIND_UNSPECIFIED, UNRECOGNIZED ->
                            throw badEnum(
                                    "activation kind",
                                    "RELU, LEAKY_RELU, SIGMOID or TANH",
                                    spec.getKindValue());
                };
        return new Activation(name, function, spec.getNegativeSlope());
    }

    private static Pool2d poolFromProto(io.depthlab.proto.bundle.Pool2d spec, String name) {
        Pool2d.Mode mode =
                switch (spec.getKind()) {
                    case MAX -> Pool2d.Mode.MAX;
                    case AVERAGE -> Pool2d.Mode.AVERAGE;
                    case KIND_UNSPECIFIED, UNRECOGNIZED ->
                            throw badEnum("pool2d kind", "MAX or AVERAGE", spec.getKindValue());
                };
        return new Pool2d(
                name,
                mode,
                uint(spec.getKernelHeight(), "pool2d kernel_height"),
                uint(spec.getKernelWidth(), "pool2d kernel_width"),
                uint(spec.getStrideHeight(), "pool2d stride_height"),
                uint(spec.getStrideWidth(), "pool2d stride_width"),
                uint(spec.getPaddingHeight(), "pool2d padding_height"),
                uint(spec.getPaddingWidth(), "pool2d padding_width"));
    }

    private static Residual residualFromProto(io.depthlab.proto.bundle.Residual spec, String name) {
        if (spec.getBodyCount() == 0) {
            throw new IllegalArgumentException("residual body: expected 1 or more layers, found 0");
        }
        List<Layer> body = new ArrayList<>();
        for (int i = 0; i < spec.getBodyCount(); i++) {
            body.add(layerFromProto(spec.getBody(i), "body layer " + i));
        }
        Optional<Conv2d> projection = Optional.empty();
        if (spec.hasProjection()) {
            Layer layer = layerFromProto(spec.getProjection(), "projection");
            if (!(layer instanceof Conv2d conv)) {
                throw new IllegalArgumentException(
                        String.format(
                                "projection '%s': expected a conv2d layer, found %s",
                                layer.name(), layer.kind()));
            }
            projection = Optional.of(conv);
        }
        Optional<Activation> activation = Optional.empty();
        if (spec.hasActivation()) {
            try {
                // Without a stored name (an empty one) the network names it <kind>_<n>.
                activation =
                        Optional.of(
                                activationFromProto(
                                        spec.getActivation(), spec.getActivationName()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("activation: " + e.getMessage(), e);
            }
        }
        return new Residual(name, body, projection, activation);
    }

    /**
     * Initializers are always written, so a missing one is an error rather than a default: a
     * default here would silently change how a resumed training starts.
     */
    private static Initializer initializerFromProto(
            boolean present, io.depthlab.proto.bundle.Initializer spec, String field) {
        if (!present) {
            throw new IllegalArgumentException(field + ": expected an initializer, found none");
        }
        double value = spec.getValue();
        double low = spec.getLow();
        double high = spec.getHigh();
        try {
            return switch (spec.getKind()) {
                case ZEROS -> unused(Initializer.zeros(), value, low, high);
                case CONSTANT -> unused(Initializer.constant(value), 0, low, high);
                case UNIFORM -> unused(Initializer.uniform(low, high), value, 0, 0);
                case NORMAL -> unused(Initializer.normal(low, high), value, 0, 0);
                case GLOROT_UNIFORM -> unused(Initializer.glorotUniform(), value, low, high);
                case GLOROT_NORMAL -> unused(Initializer.glorotNormal(), value, low, high);
                case HE_NORMAL -> unused(Initializer.heNormal(), value, low, high);
                case HE_UNIFORM -> unused(Initializer.heUniform(), value, low, high);
                case FAN_IN_UNIFORM -> unused(Initializer.fanInUniform(), value, low, high);
                case KIND_UNSPECIFIED, UNRECOGNIZED ->
                        throw badEnum(
                                "kind",
                                "ZEROS, CONSTANT, UNIFORM, NORMAL, GLOROT_UNIFORM,"
                                        + " GLOROT_NORMAL, HE_NORMAL, HE_UNIFORM or"
                                        + " FAN_IN_UNIFORM",
                                spec.getKindValue());
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
        }
    }

    /** Refuses values in the fields that {@code init}'s kind does not read. */
    private static Initializer unused(Initializer init, double value, double low, double high) {
        if (value != 0 || low != 0 || high != 0) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s initializer: expected 0 in the fields it does not use, found"
                                    + " value %s, low %s, high %s",
                            init.kind(), value, low, high));
        }
        return init;
    }

    private static List<Penalty> penaltiesFromProto(
            List<io.depthlab.proto.bundle.Penalty> specs, String owner) {
        List<Penalty> penalties = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            io.depthlab.proto.bundle.Penalty spec = specs.get(i);
            try {
                Penalty.Kind kind =
                        switch (spec.getKind()) {
                            case L1 -> Penalty.Kind.L1;
                            case L2 -> Penalty.Kind.L2;
                            case KIND_UNSPECIFIED, UNRECOGNIZED ->
                                    throw badEnum("kind", "L1 or L2", spec.getKindValue());
                        };
                penalties.add(new Penalty(kind, spec.getCoefficient()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        String.format("%s penalty %d: %s", owner, i, e.getMessage()), e);
            }
        }
        return Checks.penalties(penalties, owner);
    }

    /**
     * A uint32 field as an int. Values from 2^31 up arrive negative in Java, and a layer check
     * would then report a misleading negative number.
     */
    private static int uint(int value, String field) {
        if (value < 0) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s: expected at most %d, found %d",
                            field, Integer.MAX_VALUE, Integer.toUnsignedLong(value)));
        }
        return value;
    }

    private static IllegalArgumentException badEnum(String field, String expected, int value) {
        String found = value == 0 ? "KIND_UNSPECIFIED (0)" : "unknown value " + value;
        return new IllegalArgumentException(
                String.format("%s: expected %s, found %s", field, expected, found));
    }

    /**
     * The builder adds a projection wherever a residual body changes the shape. A message that
     * needs one but has none was not written by {@link #toProto}, and its parameters could not hold
     * the projection's weights, so it is refused rather than completed.
     */
    private static void checkProjections(
            List<LayerSpec> specs, List<Layer> layers, Shape input, String path) {
        Shape shape = input;
        for (int i = 0; i < specs.size(); i++) {
            Layer layer = layers.get(i);
            if (layer instanceof Residual residual) {
                io.depthlab.proto.bundle.Residual spec = specs.get(i).getResidual();
                String where = String.format("%slayer %d '%s'", path, i, residual.name());
                if (!spec.hasProjection() && residual.projection().isPresent()) {
                    throw new IllegalArgumentException(
                            String.format(
                                    "%s: expected a projection, since the body turns %s into"
                                            + " %s, found none",
                                    where, shape, residual.bodyOutputShape(shape)));
                }
                checkProjections(spec.getBodyList(), residual.body(), shape, where + " body ");
            }
            shape = layer.outputShape(shape);
        }
    }
}
