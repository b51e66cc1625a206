package io.depthlab.trainer.engine;

import io.depthlab.dsl.Dropout;
import io.depthlab.dsl.Shape;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Inverted dropout: in training mode every value of every example is kept with probability {@code 1
 * - dropRate}, independently, and survivors are scaled by {@code 1 / (1 - dropRate)}; in inference
 * mode the input is returned as it is. The masks come from this layer's own ND4J generator, seeded
 * at creation, so a seed reproduces a run.
 */
final class DropoutLayer implements EngineLayer {
    private final Dropout spec;
    private final Shape shape;
    private final Random random;
    private INDArray mask;

    DropoutLayer(Dropout spec, Shape shape, long seed) {
        this.spec = spec;
        this.shape = shape;
        this.random = Nd4j.getRandomFactory().getNewRandomInstance(seed);
    }

    @Override
    public Dropout spec() {
        return spec;
    }

    @Override
    public Shape inputShape() {
        return shape;
    }

    @Override
    public Shape outputShape() {
        return shape;
    }

    @Override
    public INDArray forward(INDArray input, boolean training) {
        NdArrays.release(mask);
        mask = null;
        if (!training || spec.dropRate() == 0) {
            return input;
        }
        double keep = 1.0 - spec.dropRate();
        mask = input.ulike();
        Nd4j.getExecutioner().exec(new BernoulliDistribution(mask, keep), random);
        mask.muli(1.0 / keep);
        return input.mul(mask);
    }

    @Override
    public INDArray backward(INDArray gradOutput, boolean needGradInput) {
        if (mask != null) {
            gradOutput.muli(mask);
            NdArrays.release(mask);
            mask = null;
        }
        return gradOutput;
    }

    @Override
    public void close() {
        NdArrays.release(mask);
        mask = null;
        try {
            random.close();
        } catch (Exception e) {
            throw new IllegalStateException(
                    "layer '" + spec.name() + "': closing its generator", e);
        }
    }
}
