package io.depthlab.trainer.engine.conv;

import io.depthlab.dsl.BatchNorm;
import io.depthlab.dsl.Shape;
import io.depthlab.trainer.engine.EngineLayer;
import io.depthlab.trainer.engine.NdArrays;
import io.depthlab.trainer.engine.Parameter;
import io.depthlab.trainer.engine.StateTensor;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A {@link BatchNorm} over the channels of images ({@code [channels, height, width]}) or the
 * features of vectors ({@code [features]}), through {@link BatchNormOps}.
 *
 * <p>Parameters {@code <name>.gamma} (ones) and {@code <name>.beta} (zeros), never penalised. State
 * {@code <name>.running_mean} (zeros) and {@code <name>.running_var} (ones). A training forward
 * normalises with the batch mean and biased variance and then moves the running statistics by
 * {@code running = (1 - momentum) * running + momentum * batch}, where, as in PyTorch, the batch
 * variance for the running one is the <em>unbiased</em> estimate ({@code m / (m - 1)} times the
 * biased one, {@code m} values per channel). An inference forward normalises with the running
 * statistics.
 *
 * <p>Unlike most layers, this one also takes a backward after an inference forward, giving the
 * gradients with the running statistics held fixed (a plain per-channel affine map), as needed to
 * fine-tune with frozen statistics and to check that mode's gradients.
 *
 * <p>The batch statistics live in two {@code [channels]} arrays allocated once; the output is a
 * view of a buffer reused at the next pass ({@link ArraySlot}), and the backward pass works in
 * place on the output gradient.
 */
final class BatchNormLayer implements EngineLayer {
    private final BatchNorm spec;
    private final Shape shape;
    private final Parameter gamma;
    private final Parameter beta;
    private final StateTensor runningMean;
    private final StateTensor runningVariance;
    private final INDArray batchMean;
    private final INDArray batchVariance;
    private final ArraySlot outputs = new ArraySlot();
    private INDArray lastInput;
    private boolean lastTraining;
    // The convolution that applies this layer in inference passes, if any (see markFolded).
    private Conv2dLayer foldedInto;

    /** A per-channel affine map, {@code y = scale * x + shift}. */
    record Affine(double[] scale, double[] shift) {}

    BatchNormLayer(BatchNorm spec, Shape shape) {
        this.spec = spec;
        this.shape = spec.outputShape(shape);
        DataType type = Nd4j.defaultFloatingPointType();
        long channels = shape.dim(0);
        this.gamma = Parameter.unpenalised(spec.name() + ".gamma", Nd4j.ones(type, channels));
        this.beta = Parameter.unpenalised(spec.name() + ".beta", Nd4j.zeros(type, channels));
        this.runningMean =
                new StateTensor(spec.name() + ".running_mean", Nd4j.zeros(type, channels));
        this.runningVariance =
                new StateTensor(spec.name() + ".running_var", Nd4j.ones(type, channels), 0);
        this.batchMean = Nd4j.zeros(type, channels);
        this.batchVariance = Nd4j.zeros(type, channels);
    }

    @Override
    public BatchNorm spec() {
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
        GradientPool.get().reclaimAll();
        INDArray output = outputs.nextLike(input);
        lastInput = input;
        lastTraining = training;
        if (!training && foldedInto != null) {
            // The convolution before this layer has already applied it.
            lastInput = null;
            return input;
        }
        if (!training) {
            BatchNormOps.normalize(
                    input,
                    runningMean.value(),
                    runningVariance.value(),
                    gamma.value(),
                    beta.value(),
                    spec.epsilon(),
                    output);
            return output;
        }
        long count = input.length() / shape.dim(0);
        if (count < 2) {
            lastInput = null;
            throw new IllegalArgumentException(
                    String.format(
                            "layer '%s': training needs more than one value per channel, found"
                                    + " input %s",
                            spec.name(), Arrays.toString(input.shape())));
        }
        BatchNormOps.trainingForward(
                input,
                gamma.value(),
                beta.value(),
                spec.epsilon(),
                batchMean,
                batchVariance,
                output);
        double momentum = spec.momentum();
        BatchNormOps.updateRunning(runningMean.value(), batchMean, momentum, 1);
        BatchNormOps.updateRunning(
                runningVariance.value(), batchVariance, momentum, count / (count - 1.0));
        return output;
    }

    /** Its own array; the backward pass reads the input. */
    @Override
    public boolean outputIsScratch() {
        return true;
    }

    @Override
    public INDArray backward(INDArray gradOutput, boolean needGradInput) {
        return backward(gradOutput, needGradInput, true);
    }

    /**
     * {@link #backward(INDArray, boolean)}, working in place on {@code gradOutput} only if {@code
     * overwriteGradOutput}; otherwise the input gradient goes to a {@link GradientPool} buffer, at
     * the same cost, and {@code gradOutput} stays as it was, as a residual block's identity branch
     * needs it.
     */
    INDArray backward(INDArray gradOutput, boolean needGradInput, boolean overwriteGradOutput) {
        if (lastInput == null) {
            throw new IllegalStateException(
                    "layer '"
                            + spec.name()
                            + "': backward needs a forward first"
                            + (foldedInto == null
                                    ? ""
                                    : " in training mode (inference passes fold it into layer '"
                                            + foldedInto.name()
                                            + "')"));
        }
        GradientPool pool = GradientPool.get();
        INDArray target = overwriteGradOutput ? gradOutput : pool.takeLike(gradOutput);
        BatchNormOps.backward(
                lastInput,
                lastTraining ? batchMean : runningMean.value(),
                lastTraining ? batchVariance : runningVariance.value(),
                gamma.value(),
                spec.epsilon(),
                gradOutput,
                target,
                gamma.gradient(),
                beta.gradient(),
                lastTraining);
        lastInput = null;
        if (!needGradInput) {
            if (target != gradOutput) {
                pool.giveBack(target);
            }
            return null;
        }
        return target;
    }

    /**
     * The inference-mode normalisation as {@code scale * x + shift} per channel, from the running
     * statistics: {@code scale = gamma / sqrt(runningVariance + epsilon)}, {@code shift = beta -
     * runningMean * scale}. New arrays at each call.
     */
    Affine inferenceAffine() {
        // Copies, not toDoubleVector, which takes ten times longer: this runs at every pass.
        double[] mean = BatchNormOps.values(runningMean.value());
        double[] variance = BatchNormOps.values(runningVariance.value());
        double[] scale = BatchNormOps.values(gamma.value());
        double[] shift = BatchNormOps.values(beta.value());
        for (int c = 0; c < scale.length; c++) {
            scale[c] /= Math.sqrt(variance[c] + spec.epsilon());
            shift[c] -= mean[c] * scale[c];
        }
        return new Affine(scale, shift);
    }

    /**
     * From now on, inference passes return their input unchanged: {@code convolution}, the layer
     * right before this one, applies the normalisation ({@link Conv2dLayer#foldForInference}).
     */
    void markFolded(Conv2dLayer convolution) {
        foldedInto = convolution;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(gamma, beta);
    }

    @Override
    public List<StateTensor> state() {
        return List.of(runningMean, runningVariance);
    }

    @Override
    public void close() {
        EngineLayer.super.close();
        NdArrays.release(batchMean, batchVariance);
        outputs.close();
    }
}
