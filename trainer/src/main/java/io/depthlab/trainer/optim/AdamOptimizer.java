package io.depthlab.trainer.optim;

import io.depthlab.trainer.engine.NdArrays;
import io.depthlab.trainer.engine.Parameter;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.blas.Level1;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Adam and AdamW (Kingma and Ba, 2015; Loshchilov and Hutter, 2019), in the arithmetic of PyTorch's
 * implementations: with {@code t} the step number,
 *
 * <pre>
 * m = beta1 m + (1 - beta1) g
 * v = beta2 v + (1 - beta2) g^2
 * w -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + epsilon)
 * </pre>
 *
 * where Adam first adds {@code weightDecay * w} to {@code g}, and AdamW first multiplies {@code w}
 * by {@code 1 - lr * weightDecay}.
 *
 * <p>The moments are updated by libnd4j's fused {@code adam_updater} op, one pass over memory per
 * parameter instead of ten elementwise ops. That op adds epsilon to {@code sqrt(v)} before the bias
 * correction; passing it {@code epsilon * sqrt(1 - beta2^t)} gives PyTorch's formula exactly. The
 * op writes the update over the gradient, so after {@link #step} the gradients hold the updates.
 * Moments are allocated at creation; a step allocates nothing.
 */
final class AdamOptimizer implements Optimizer {
    private final OptimizerSpec spec;
    private final List<Parameter> parameters;
    private final List<INDArray> firstMoments = new ArrayList<>();
    private final List<INDArray> secondMoments = new ArrayList<>();
    private long steps;

    AdamOptimizer(OptimizerSpec spec, List<Parameter> parameters) {
        this.spec = spec;
        this.parameters = parameters;
        for (Parameter parameter : parameters) {
            firstMoments.add(parameter.value().like());
            secondMoments.add(parameter.value().like());
        }
    }

    @Override
    public void step(double learningRate) {
        Optimizers.checkLearningRate(learningRate);
        steps++;
        // The op counts iterations from 0.
        int iteration = Math.toIntExact(steps - 1);
        double epsilon = spec.epsilon() * Math.sqrt(1 - Math.pow(spec.beta2(), steps));
        boolean decoupled = spec.kind() == OptimizerSpec.Kind.ADAMW;
        Level1 blas = Nd4j.getBlasWrapper().level1();
        for (int i = 0; i < parameters.size(); i++) {
            Parameter parameter = parameters.get(i);
            INDArray w = parameter.value();
            INDArray g = parameter.gradient();
            if (spec.weightDecay() > 0) {
                if (decoupled) {
                    w.muli(1 - learningRate * spec.weightDecay());
                } else {
                    blas.axpy(parameter.length(), spec.weightDecay(), w, g);
                }
            }
            Nd4j.exec(
                    new AdamUpdater(
                            g,
                            secondMoments.get(i),
                            firstMoments.get(i),
                            learningRate,
                            spec.beta1(),
                            spec.beta2(),
                            epsilon,
                            iteration));
            w.subi(g);
        }
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public void close() {
        firstMoments.forEach(NdArrays::release);
        secondMoments.forEach(NdArrays::release);
    }
}
