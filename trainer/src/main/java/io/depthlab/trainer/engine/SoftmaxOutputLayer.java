package io.depthlab.trainer.engine;

import io.depthlab.dsl.Shape;
import io.depthlab.dsl.SoftmaxOutput;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Softmax over class scores with cross-entropy loss {@code -mean_i log p[i, y_i]}. The forward pass
 * is one libnd4j {@code softmax} (which subtracts each row's maximum first): a server's prediction
 * costs one op here, where five small ones cost more in dispatch than in arithmetic. The loss and
 * the accuracy are computed in Java, in double precision, from a copy of the scores made when first
 * asked for: {@code max + log(sum(exp(z - max))) - z[i, y_i]} per row, which stays finite even when
 * a probability underflows to 0. The combined gradient is {@code (p - onehot(y)) / batch}.
 */
final class SoftmaxOutputLayer implements LossHead {
    private final SoftmaxOutput spec;
    private final Shape shape;
    private INDArray lastScores;
    private INDArray lastProbabilities;
    // The last scores, row-major, copied to Java when the loss or the accuracy first needs them.
    private double[] scoreValues;

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
        INDArray probabilities = scores.ulike();
        Nd4j.exec(
                DynamicCustomOp.builder("softmax")
                        .addInputs(scores)
                        .addOutputs(probabilities)
                        .addIntegerArguments(1)
                        .build());
        lastScores = scores;
        lastProbabilities = probabilities;
        scoreValues = null;
        return probabilities;
    }

    @Override
    public double loss(int[] labels) {
        checkLabels(labels);
        double[] z = scoreValues();
        int classes = shape.dim(0);
        double total = 0;
        for (int i = 0; i < labels.length; i++) {
            int row = i * classes;
            double max = z[row];
            for (int k = 1; k < classes; k++) {
                max = Math.max(max, z[row + k]);
            }
            double sum = 0;
            for (int k = 0; k < classes; k++) {
                sum += Math.exp(z[row + k] - max);
            }
            total += max + Math.log(sum) - z[row + labels[i]];
        }
        return total / labels.length;
    }

    /** Examples whose highest score (the first, on ties) is at their label. */
    @Override
    public int correct(int[] labels) {
        checkLabels(labels);
        double[] z = scoreValues();
        int classes = shape.dim(0);
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            int row = i * classes;
            int best = 0;
            for (int k = 1; k < classes; k++) {
                if (z[row + k] > z[row + best]) {
                    best = k;
                }
            }
            if (best == labels[i]) {
                correct++;
            }
        }
        return correct;
    }

    private double[] scoreValues() {
        if (scoreValues == null) {
            boolean whole =
                    !lastScores.isView()
                            && lastScores.ordering() == 'c'
                            && lastScores.data().length() == lastScores.length();
            scoreValues = (whole ? lastScores : lastScores.dup('c')).data().asDouble();
        }
        return scoreValues;
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
