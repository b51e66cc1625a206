package io.depthlab.trainer.engine.conv;

import io.depthlab.dsl.BatchNorm;
import io.depthlab.dsl.Conv2d;
import io.depthlab.dsl.Flatten;
import io.depthlab.dsl.GlobalAveragePool;
import io.depthlab.dsl.Layer;
import io.depthlab.dsl.Pool2d;
import io.depthlab.dsl.Residual;
import io.depthlab.dsl.Shape;
import io.depthlab.trainer.engine.EngineLayer;
import io.depthlab.trainer.engine.EngineLayers;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Engine layers for the image kinds: {@link Conv2d}, {@link BatchNorm}, {@link Pool2d}, {@link
 * GlobalAveragePool}, {@link Flatten} and {@link Residual}. {@link EngineLayers#create} delegates
 * these kinds here.
 */
public final class ConvLayers {

    private ConvLayers() {}

    /**
     * Lets each convolution in {@code chain} that is directly followed by a batch norm apply that
     * norm in inference passes, folded into its kernel and bias ({@link
     * Conv2dLayer#foldForInference}); call it once on a chain of layers that run in order, each on
     * the previous one's output. Training passes are unchanged.
     */
    public static void foldBatchNorms(List<EngineLayer> chain) {
        for (int i = 0; i + 1 < chain.size(); i++) {
            if (chain.get(i) instanceof Conv2dLayer conv
                    && chain.get(i + 1) instanceof BatchNormLayer norm) {
                conv.foldForInference(norm);
            }
        }
    }

    /** Whether {@link #create} takes {@code spec}'s kind. */
    public static boolean supports(Layer spec) {
        return spec instanceof Conv2d
                || spec instanceof BatchNorm
                || spec instanceof Pool2d
                || spec instanceof GlobalAveragePool
                || spec instanceof Flatten
                || spec instanceof Residual;
    }

    /**
     * A new engine layer for {@code spec}; parameters take ND4J's default floating-point type.
     *
     * @param input the shape of one input example, already checked by {@code spec.outputShape}
     * @param random draws the initial parameters (and the seeds of a residual body)
     * @throws IllegalArgumentException if {@code spec} is not one of the image kinds
     */
    public static EngineLayer create(Layer spec, Shape input, SplittableRandom random) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(random, "random");
        if (spec instanceof Conv2d conv) {
            return new Conv2dLayer(conv, input, random);
        } else if (spec instanceof BatchNorm batchNorm) {
            return new BatchNormLayer(batchNorm, input);
        } else if (spec instanceof Pool2d pool) {
            return new Pool2dLayer(pool, input);
        } else if (spec instanceof GlobalAveragePool pool) {
            return new GlobalAveragePoolLayer(pool, input);
        } else if (spec instanceof Flatten flatten) {
            return new FlattenLayer(flatten, input);
        } else if (spec instanceof Residual residual) {
            return new ResidualLayer(residual, input, random);
        }
        throw new IllegalArgumentException(
                String.format(
                        "layer '%s': expected an image kind (conv2d, batch_norm, pooling, flatten,"
                                + " residual), found %s",
                        spec.name(), spec.kind()));
    }
}
