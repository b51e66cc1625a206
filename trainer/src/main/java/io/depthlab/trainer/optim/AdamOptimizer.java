package io.depthlab.trainer.optim;

import io.depthlab.trainer.engine.NdArrays;
import io.depthlab.trainer.engine.Parameter;

import org.nd4j.linalg.api.blas.Level1;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

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
 * by {@code 1 - lr * weightDecay}. Moments and one scratch tensor per parameter are allocated at
 * creation; a step allocates nothing.
 */
final class AdamOptimizer implements Optimizer {
    private final OptimizerSpec spec;
    private final List<Parameter> parameters;
    private final List<INDArray> firstMoments = new ArrayList<>();
    private final List<INDArray> secondMoments = new ArrayList<>();
    private final List<INDArray> scratch = new ArrayList<>();
    private long steps;

    AdamOptimizer(OptimizerSpec spec, List<Parameter> parameters) {
        this.spec = spec;
        this.parameters = parameters;
        for (Parameter parameter : parameters) {
            firstMoments.add(parameter.value().like());
            secondMoments.add(parameter.value().like());
            scratch.add(parameter.value().ulike());
        }
    }

    @Override
    public void step(double learningRate) {
        Optimizers.checkLearningRate(learningRate);
        steps++;
        double beta1 = spec.beta1();
        double beta2 = spec.beta2();
        double stepSize = learningRate / (1 - Math.pow(beta1, steps));
        double rootCorrection = Math.sqrt(1 - Math.pow(beta2, steps));
        boolean decoupled = spec.kind() == OptimizerSpec.Kind.ADAMW;
        Level1 blas = Nd4j.getBlasWrapper().level1();
        for (int i = 0; i < parameters.size(); i++) {
            Parameter parameter = parameters.get(i);
            INDArray w = parameter.value();
            INDArray g = parameter.gradient();
            INDArray m = firstMoments.get(i);
            INDArray v = secondMoments.get(i);
            INDArray tmp = scratch.get(i);
            long n = parameter.length();
            if (spec.weightDecay() > 0) {
                if (decoupled) {
                    w.muli(1 - learningRate * spec.weightDecay());
                } else {
                    blas.axpy(n, spec.weightDecay(), w, g);
                }
            }
            m.muli(beta1);
            blas.axpy(n, 1 - beta1, g, m);
            g.mul(g, tmp);
            v.muli(beta2);
            blas.axpy(n, 1 - beta2, tmp, v);
            // tmp = m / (sqrt(v) / rootCorrection + epsilon)
            Nd4j.exec(new Sqrt(v, tmp));
            tmp.divi(rootCorrection).addi(spec.epsilon());
            m.div(tmp, tmp);
            blas.axpy(n, -stepSize, tmp, w);
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
        scratch.forEach(NdArrays::release);
    }
}
