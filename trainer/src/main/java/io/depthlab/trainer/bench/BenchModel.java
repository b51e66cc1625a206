package io.depthlab.trainer.bench;

import io.depthlab.dsl.Network;
import io.depthlab.dsl.family.Mlp;
import io.depthlab.dsl.family.Vgg;

/**
 * The networks of the performance comparison, named as in the PyTorch anchor ({@code
 * shared/anchors/pytorch_bench.py}) so that rows line up: the study's VGG family at width 32 for
 * 3x32x32 images and 100 classes, and the EMNIST MLP 784-100-47.
 */
enum BenchModel {
    VGG_08(8, false, false),
    VGG_38(38, false, false),
    VGG_38_BN(38, true, false),
    VGG_38_RC(38, false, true),
    VGG_38_BN_RC(38, true, true),
    VGG_68_BN_RC(68, true, true),
    MLP_784_100_47(0, false, false);

    private final int depth;
    private final boolean batchNorm;
    private final boolean residual;

    BenchModel(int depth, boolean batchNorm, boolean residual) {
        this.depth = depth;
        this.batchNorm = batchNorm;
        this.residual = residual;
    }

    /** The network spec; the anchor's MLP has no dropout or penalty, like this one. */
    Network network() {
        if (this == MLP_784_100_47) {
            return Mlp.emnist().build();
        }
        return Vgg.depth(depth).batchNorm(batchNorm).residual(residual).build();
    }

    /** The name {@code depthlab train --network} gives this model, e.g. {@code vgg-38-bn-res}. */
    String trainName() {
        return this == MLP_784_100_47 ? "mlp" : network().name();
    }

    /** The classes of the output layer, from which random labels are drawn. */
    int classes() {
        return this == MLP_784_100_47 ? Mlp.CLASSES : Vgg.DEFAULT_CLASSES;
    }
}
