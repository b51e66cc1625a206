package io.depthlab.trainer.engine;

import io.depthlab.dsl.Dense;
import io.depthlab.dsl.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code y = x W + b} with {@code W} [inputs, units] and {@code b} [units]. Products go through
 * {@link Nd4j#gemm}, which writes straight into its target (the weight gradient needs no temporary)
 * and runs markedly faster than {@code mmul} on this machine.
 */
final class DenseLayer implements EngineLayer {
    private final Dense spec;
    private final Shape inputShape;
    private final Parameter weight;
    private final Parameter bias;
    private final List<Parameter> parameters;
    private INDArray lastInput;

    DenseLayer(Dense spec, Shape inputShape, SplittableRandom random) {
        this.spec = spec;
        this.inputShape = inputShape;
        long inputs = inputShape.size();
        long units = spec.units();
        this.weight =
                Parameter.weight(
                        spec.name() + ".weight",
                        Initializers.create(
                                spec.weightInit(),
                                new long[] {inputs, units},
                                inputs,
                                units,
                                random),
                        spec.penalties());
        this.bias =
                spec.bias()
                        ? Parameter.unpenalised(
                                spec.name() + ".bias",
                                Initializers.create(
                                        spec.biasInit(), new long[] {units}, inputs, units, random))
                        : null;
        List<Parameter> all = new ArrayList<>();
        all.add(weight);
        if (bias != null) {
            all.add(bias);
        }
        this.parameters = List.copyOf(all);
    }

    @Override
    public Dense spec() {
        return spec;
    }

    @Override
    public Shape inputShape() {
        return inputShape;
    }

    @Override
    public Shape outputShape() {
        return Shape.of(spec.units());
    }

    @Override
    public INDArray forward(INDArray input, boolean training) {
        long batch = input.size(0);
        INDArray output = Nd4j.create(input.dataType(), batch, spec.units());
        Nd4j.gemm(input, weight.value(), output, false, false, 1.0, 0.0);
        if (bias != null) {
            output.addiRowVector(bias.value());
        }
        lastInput = training ? input : null;
        return output;
    }

    /** Its own array; the backward pass reads the input. */
    @Override
    public boolean outputIsScratch() {
        return true;
    }

    @Override
    public INDArray backward(INDArray gradOutput, boolean needGradInput) {
        if (lastInput == null) {
            throw new IllegalStateException(
                    "layer '" + spec.name() + "': backward needs a forward in training mode first");
        }
        Nd4j.gemm(lastInput, gradOutput, weight.gradient(), true, false, 1.0, 0.0);
        if (bias != null) {
            gradOutput.sum(bias.gradient(), 0);
        }
        INDArray gradInput = null;
        if (needGradInput) {
            gradInput = Nd4j.create(gradOutput.dataType(), lastInput.shape());
            Nd4j.gemm(gradOutput, weight.value(), gradInput, false, true, 1.0, 0.0);
        }
        lastInput = null;
        return gradInput;
    }

    @Override
    public List<Parameter> parameters() {
        return parameters;
    }
}
