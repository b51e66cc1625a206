package io.depthlab.trainer.engine;

import io.depthlab.dsl.Shape;
import io.depthlab.dsl.SoftmaxOutput;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Softmax over class scores with cross-entropy loss {@code -mean_i log p[i, y_i]}. The forward pass
 * subtracts each row's maximum before exponentiating and keeps the row's log-sum-exp, so the loss
 * is computed from scores ({@code max + logSumExp - z[i, y_i]}) and stays finite even when a
 * probability underflows to 0. The combined gradient is {@code (p - onehot(y)) / batch}.
 */
final class SoftmaxOutputLayer implements LossHead {
    private final SoftmaxOutput spec;
    private final Shape shape;
    private INDArray lastScores;
    private INDArray lastProbabilities;
    private double[] rowMax;
    private double[] rowLogSum;

    SoftmaxOutputLayer(SoftmaxOutput spec, Shape shape) {
        this.spec = spec;
        this.shape = shape;
    }

    @Override
    public SoftmaxOutput spec() {
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
    public INDArray forward(INDArray scores, boolean training) {
        INDArray max = scores.max(1);
        INDArray probabilities = scores.subColumnVector(max);
        Transforms.exp(probabilities, false);
        INDArray sum = probabilities.sum(1);
        probabilities.diviColumnVector(sum);
        rowMax = max.toDoubleVector();
        rowLogSum = sum.toDoubleVector();
        for (int i = 0; i < rowLogSum.length; i++) {
            rowLogSum[i] = Math.log(rowLogSum[i]);
        }
        NdArrays.release(max, sum);
        lastScores = scores;
        lastProbabilities = probabilities;
        return probabilities;
    }

    @Override
    public double loss(int[] labels) {
        checkLabels(labels);
        double total = 0;
        for (int i = 0; i < labels.length; i++) {
            total += rowMax[i] + rowLogSum[i] - lastScores.getDouble(i, labels[i]);
        }
        return total / labels.length;
    }

    @Override
    public int correct(int[] labels) {
        checkLabels(labels);
        INDArray predicted = Nd4j.argMax(lastProbabilities, 1);
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            if (predicted.getLong(i) == labels[i]) {
                correct++;
            }
        }
        NdArrays.release(predicted);
        return correct;
    }

    @Override
    public INDArray lossGradient(int[] labels) {
        checkLabels(labels);
        INDArray gradient = lastProbabilities.dup();
        for (int i = 0; i < labels.length; i++) {
            gradient.putScalar(i, labels[i], gradient.getDouble(i, labels[i]) - 1.0);
        }
        return gradient.divi(labels.length);
    }

    /**
     * The gradient through the softmax alone, {@code p * (g - sum_j g_j p_j)} per row, for a
     * softmax that is not the loss head; networks that train use {@link #lossGradient}.
     */
    @Override
    public INDArray backward(INDArray gradOutput, boolean needGradInput) {
        if (!needGradInput) {
            return null;
        }
        INDArray weighted = gradOutput.mul(lastProbabilities);
        INDArray dot = weighted.sum(1);
        gradOutput.subiColumnVector(dot).muli(lastProbabilities);
        NdArrays.release(weighted, dot);
        return gradOutput;
    }

    private void checkLabels(int[] labels) {
        if (lastProbabilities == null) {
            throw new IllegalStateException(
                    "layer '" + spec.name() + "': the loss needs a forward pass first");
        }
        long batch = lastProbabilities.size(0);
        if (labels.length != batch) {
            throw new IllegalArgumentException(
                    String.format(
                            "layer '%s': expected %d labels, one per example, found %d",
                            spec.name(), batch, labels.length));
        }
        int classes = shape.dim(0);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(
                        String.format(
                                "layer '%s': label %d of the batch: expected a class in [0, %d),"
                                        + " found %d",
                                spec.name(), i, classes, labels[i]));
            }
        }
    }
}
