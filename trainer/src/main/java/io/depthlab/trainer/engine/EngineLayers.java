package io.depthlab.trainer.engine;

import io.depthlab.dsl.Activation;
import io.depthlab.dsl.BatchNorm;
import io.depthlab.dsl.Conv2d;
import io.depthlab.dsl.Dense;
import io.depthlab.dsl.Dropout;
import io.depthlab.dsl.Flatten;
import io.depthlab.dsl.GlobalAveragePool;
import io.depthlab.dsl.Layer;
import io.depthlab.dsl.Pool2d;
import io.depthlab.dsl.Residual;
import io.depthlab.dsl.Shape;
import io.depthlab.dsl.SoftmaxOutput;
import io.depthlab.trainer.engine.conv.ConvLayers;
import java.util.Objects;
import java.util.SplittableRandom;

/** Builds the engine layer for each kind of {@link Layer} spec. */
public final class EngineLayers {

    private EngineLayers() {}

    /**
     * A new engine layer for {@code spec}, with parameters initialised from {@code seed}: the same
     * spec, input shape and seed give the same values. Parameters take ND4J's default
     * floating-point type at the time of the call.
     *
     * @param spec a named layer, as in a built {@link io.depthlab.dsl.Network}
     * @param input the shape of one input example, without the batch dimension
     * @param seed seeds the initialisers and, for dropout, the masks
     * @throws IllegalArgumentException if the layer cannot take {@code input}
     * @throws UnsupportedOperationException for kinds this engine does not implement yet
     */
    public static EngineLayer create(Layer spec, Shape input, long seed) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(input, "input");
        Shape output = spec.outputShape(input);
        SplittableRandom random = new SplittableRandom(seed);
        if (spec instanceof Dense dense) {
            return new DenseLayer(dense, input, random);
        } else if (spec instanceof SoftmaxOutput softmax) {
            return new SoftmaxOutputLayer(softmax, output);
        } else if (spec instanceof Activation activation) {
            return new ActivationLayer(activation, input);
        } else if (spec instanceof Dropout dropout) {
            return new DropoutLayer(dropout, input, random.nextLong());
        } else if (spec instanceof Conv2d
                || spec instanceof BatchNorm
                || spec instanceof Pool2d
                || spec instanceof GlobalAveragePool
                || spec instanceof Flatten
                || spec instanceof Residual) {
            return ConvLayers.create(spec, input, random);
        }
        throw new AssertionError("unknown layer kind " + spec.getClass().getName());
    }

    private static UnsupportedOperationException unsupported(Layer spec) {
        return new UnsupportedOperationException(
                String.format(
                        "layer '%s': kind %s is not yet supported by the ND4J trainer",
                        spec.name(), spec.kind()));
    }
}
