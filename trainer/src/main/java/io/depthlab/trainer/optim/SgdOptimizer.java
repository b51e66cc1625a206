package io.depthlab.trainer.optim;

import io.depthlab.trainer.engine.NdArrays;
import io.depthlab.trainer.engine.Parameter;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.blas.Level1;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Gradient descent, with or without PyTorch-style momentum. */
final class SgdOptimizer implements Optimizer {
    private final List<Parameter> parameters;
    private final double momentum;
    private final List<INDArray> velocities;
    private long steps;

    SgdOptimizer(List<Parameter> parameters, double momentum, boolean withVelocity) {
        this.parameters = parameters;
        this.momentum = momentum;
        this.velocities = new ArrayList<>();
        if (withVelocity) {
            parameters.forEach(p -> velocities.add(p.value().like()));
        }
    }

    @Override
    public void step(double learningRate) {
        Optimizers.checkLearningRate(learningRate);
        Level1 blas = Nd4j.getBlasWrapper().level1();
        for (int i = 0; i < parameters.size(); i++) {
            Parameter parameter = parameters.get(i);
            INDArray direction = parameter.gradient();
            if (!velocities.isEmpty()) {
                // v = momentum * v + g
                direction = velocities.get(i).muli(momentum);
                blas.axpy(parameter.length(), 1.0, parameter.gradient(), direction);
            }
            blas.axpy(parameter.length(), -learningRate, direction, parameter.value());
        }
        steps++;
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public void close() {
        velocities.forEach(NdArrays::release);
    }
}
