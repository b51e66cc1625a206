package io.depthlab.trainer.engine.conv;

import io.depthlab.dsl.Conv2d;
import io.depthlab.dsl.Shape;
import io.depthlab.trainer.engine.EngineLayer;
import io.depthlab.trainer.engine.Initializers;
import io.depthlab.trainer.engine.Parameter;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A {@link Conv2d} on NHWC batches through {@link ConvOps}. Its output and input gradient are views
 * of buffers it reuses at its next pass ({@link ArraySlot}). Parameters: {@code <name>.weight}
 * {@code [filters, channels, kernelHeight, kernelWidth]} (penalised; PyTorch's order, which the ops
 * read and write through a {@code [filters, kernelHeight, kernelWidth, channels]} view, the order
 * oneDNN pairs with NHWC data; it reorders the few kilobytes itself, so a copy of our own would
 * only add an op per pass) and, with a bias, {@code <name>.bias} {@code [filters]}. Fan-in is
 * {@code channels * kernel area}, fan-out {@code filters * kernel area}.
 *
 * <p>{@link #backward} leaves {@code gradOutput} unchanged, which {@link ResidualLayer} relies on
 * to hand the same gradient to both of its branches without a copy.
 */
final class Conv2dLayer implements EngineLayer {
    private final Conv2d spec;
    private final Shape inputShape;
    private final Shape outputShape;
    private final Window window;
    private final Parameter weight;
    private final Parameter bias;
    private final List<Parameter> parameters;
    private final ArraySlot outputs = new ArraySlot();
    // The kernel an inference pass folds a batch norm into; training reads the weights in place.
    private final ArraySlot foldedKernels = new ArraySlot();
    private final ArraySlot foldedScales = new ArraySlot();
    private final ArraySlot foldedBiases = new ArraySlot();
    // The batch norm that follows in the chain, applied by this layer's inference passes.
    private BatchNormLayer inferenceNorm;
    private INDArray lastInput;

    Conv2dLayer(Conv2d spec, Shape inputShape, SplittableRandom random) {
        this.spec = spec;
        this.inputShape = inputShape;
        this.outputShape = spec.outputShape(inputShape);
        this.window = Window.of(spec);
        long area = (long) spec.kernelHeight() * spec.kernelWidth();
        long fanIn = inputShape.dim(0) * area;
        long fanOut = spec.filters() * area;
        long[] weightShape = {
            spec.filters(), inputShape.dim(0), spec.kernelHeight(), spec.kernelWidth()
        };
        this.weight =
                Parameter.weight(
                        spec.name() + ".weight",
                        Initializers.create(spec.weightInit(), weightShape, fanIn, fanOut, random),
                        spec.penalties());
        this.bias =
                spec.bias()
                        ? Parameter.unpenalised(
                                spec.name() + ".bias",
                                Initializers.create(
                                        spec.biasInit(),
                                        new long[] {spec.filters()},
                                        fanIn,
                                        fanOut,
                                        random))
                        : null;
        this.parameters = bias == null ? List.of(weight) : List.of(weight, bias);
    }

    @Override
    public Conv2d spec() {
        return spec;
    }

    @Override
    public Shape inputShape() {
        return inputShape;
    }

    @Override
    public Shape outputShape() {
        return outputShape;
    }

    /**
     * Makes every inference pass of this layer apply {@code norm} too, the batch norm that comes
     * right after it in a chain of layers; {@code norm}'s own inference passes then return their
     * input. A normalisation with fixed statistics is a per-filter affine map, so it folds into the
     * kernel and the bias: {@code scale = gamma / sqrt(runningVariance + epsilon)} multiplies each
     * filter, and the bias becomes {@code beta + (bias - runningMean) * scale}. That saves a pass
     * over every activation (a tenth of a VGG-38 BN+res inference) for a few thousand
     * multiplications per pass; training passes are unchanged.
     *
     * @throws IllegalArgumentException if {@code norm} does not take this layer's output
     */
    void foldForInference(BatchNormLayer norm) {
        if (!norm.inputShape().equals(outputShape)) {
            throw new IllegalArgumentException(
                    String.format(
                            "layer '%s': cannot fold batch norm '%s' into it: expected input %s,"
                                    + " found %s",
                            spec.name(), norm.name(), outputShape, norm.inputShape()));
        }
        norm.markFolded(this);
        inferenceNorm = norm;
    }

    @Override
    public INDArray forward(INDArray input, boolean training) {
        GradientPool.get().reclaimAll();
        INDArray kernel = ohwi(weight.value());
        INDArray bias = biasValue();
        if (!training && inferenceNorm != null) {
            INDArray folded = foldedKernels.next(kernel.dataType(), kernel.shape());
            bias = foldNorm(folded);
            kernel = folded;
        }
        long[] shape = ConvOps.outputShape(input, kernel, window);
        INDArray output = outputs.next(input.dataType(), shape);
        ConvOps.forward(input, kernel, bias, window, output);
        lastInput = training ? input : null;
        return output;
    }

    /**
     * Writes the weights, each filter scaled by the folded norm, into {@code kernel} (one op, which
     * also reorders them) and returns the folded bias.
     */
    private INDArray foldNorm(INDArray kernel) {
        BatchNormLayer.Affine affine = inferenceNorm.inferenceAffine();
        double[] scale = affine.scale();
        double[] shift = affine.shift();
        if (bias != null) {
            double[] values = BatchNormOps.values(bias.value());
            for (int f = 0; f < shift.length; f++) {
                shift[f] += values[f] * scale[f];
            }
        }
        int filters = scale.length;
        INDArray scales = BatchNormOps.fill(foldedScales.next(kernel.dataType(), filters), scale);
        Nd4j.exec(
                DynamicCustomOp.builder("multiply")
                        .addInputs(ohwi(weight.value()), scales.reshape(filters, 1, 1, 1))
                        .addOutputs(kernel)
                        .build());
        return BatchNormOps.fill(foldedBiases.next(kernel.dataType(), filters), shift);
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
     * {@link #backward(INDArray, boolean)}, giving {@code gradOutput} back to the {@link
     * GradientPool} once consumed only if {@code consumeGradOutput}: a residual block's projection
     * must leave it to the body.
     */
    INDArray backward(INDArray gradOutput, boolean needGradInput, boolean consumeGradOutput) {
        if (lastInput == null) {
            throw new IllegalStateException(
                    "layer '" + spec.name() + "': backward needs a forward in training mode first");
        }
        // conv2d_bp always computes the input gradient; the first layer just drops it.
        GradientPool pool = GradientPool.get();
        INDArray gradInput = pool.takeLike(lastInput);
        // The op writes the weight gradient straight through the view.
        INDArray gradKernel = ohwi(weight.gradient());
        ConvOps.backward(
                lastInput,
                ohwi(weight.value()),
                biasValue(),
                gradOutput,
                window,
                gradInput,
                gradKernel,
                bias == null ? null : bias.gradient());
        lastInput = null;
        if (consumeGradOutput) {
            pool.giveBack(gradOutput);
        }
        if (!needGradInput) {
            pool.giveBack(gradInput);
            return null;
        }
        return gradInput;
    }

    @Override
    public List<Parameter> parameters() {
        return parameters;
    }

    @Override
    public void close() {
        EngineLayer.super.close();
        outputs.close();
        foldedKernels.close();
        foldedScales.close();
        foldedBiases.close();
    }

    /** {@code [filters, kernelHeight, kernelWidth, channels]}: a view of an OIHW tensor. */
    private static INDArray ohwi(INDArray oihw) {
        return oihw.permute(0, 2, 3, 1);
    }

    private INDArray biasValue() {
        return bias == null ? null : bias.value();
    }
}
