package io.depthlab.server;

import io.depthlab.proto.bundle.ModelBundle;
import io.depthlab.proto.bundle.Preprocessing;
import io.depthlab.trainer.inference.Classifier;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test double: a fixed linear softmax over the raw values scaled by 1/255, in plain Java.
 *
 * <p>Weights are {@code w[c][i] = ((7c + 3i) mod 11 - 5) / 10} and biases {@code b[c] = c / 10}, so
 * the probabilities depend on every value and differ between classes. Counts its calls, can be told
 * to fail, and refuses use after close, like the real classifier.
 */
final class LinearSoftmaxClassifier implements Classifier {

    /** The test model: 16 raw values shaped [1, 4, 4], 5 classes labelled a to e. */
    static final String NAME = "tiny-linear";

    static final String VERSION = "3";
    static final List<Long> INPUT_SHAPE = List.of(1L, 4L, 4L);
    static final int INPUT_SIZE = 16;
    static final List<String> LABELS = List.of("a", "b", "c", "d", "e");

    private final ModelBundle bundle;
    private final int inputSize;
    private final int classCount;
    private final AtomicInteger batches = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile RuntimeException failure;

    LinearSoftmaxClassifier(ModelBundle bundle) {
        this.bundle = bundle;
        this.inputSize =
                (int)
                        bundle.getPreprocessing().getInputShapeList().stream()
                                .mapToLong(Long::longValue)
                                .reduce(1, (a, b) -> a * b);
        this.classCount = bundle.getClassLabelsCount();
    }

    /** The standard test model. */
    static LinearSoftmaxClassifier standard() {
        return new LinearSoftmaxClassifier(bundle(NAME, VERSION, INPUT_SHAPE, LABELS));
    }

    static ModelBundle bundle(
            String name, String version, List<Long> inputShape, List<String> labels) {
        return ModelBundle.newBuilder()
                .setFormatVersion(1)
                .setModelName(name)
                .setModelVersion(version)
                .setPreprocessing(
                        Preprocessing.newBuilder()
                                .addAllInputShape(inputShape)
                                .setScale(1f / 255f)
                                .addMean(0f)
                                .addStd(1f))
                .addAllClassLabels(labels)
                .build();
    }

    /** Makes every later prediction throw {@code failure}. */
    void failWith(RuntimeException failure) {
        this.failure = failure;
    }

    /** The number of batches predicted so far, warm-up included. */
    int batches() {
        return batches.get();
    }

    boolean isClosed() {
        return closed.get();
    }

    @Override
    public ModelBundle bundle() {
        return bundle;
    }

    @Override
    public int inputSize() {
        return inputSize;
    }

    @Override
    public int classCount() {
        return classCount;
    }

    @Override
    public float[] predictProbabilities(float[] raw, int batchSize) {
        if (closed.get()) {
            throw new IllegalStateException("classifier closed");
        }
        if (failure != null) {
            throw failure;
        }
        if (batchSize < 1 || raw.length != batchSize * inputSize) {
            throw new IllegalArgumentException(
                    "expected " + batchSize * inputSize + " raw values, found " + raw.length);
        }
        batches.incrementAndGet();
        float[] probabilities = new float[batchSize * classCount];
        for (int example = 0; example < batchSize; example++) {
            softmax(raw, example * inputSize, probabilities, example * classCount);
        }
        return probabilities;
    }

    private void softmax(float[] raw, int rawOffset, float[] out, int outOffset) {
        double[] logits = new double[classCount];
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classCount; c++) {
            double logit = c / 10.0;
            for (int i = 0; i < inputSize; i++) {
                logit += raw[rawOffset + i] / 255.0 * (((7 * c + 3 * i) % 11 - 5) / 10.0);
            }
            logits[c] = logit;
            max = Math.max(max, logit);
        }
        double sum = 0;
        for (int c = 0; c < classCount; c++) {
            logits[c] = Math.exp(logits[c] - max);
            sum += logits[c];
        }
        for (int c = 0; c < classCount; c++) {
            out[outOffset + c] = (float) (logits[c] / sum);
        }
    }

    @Override
    public void close() {
        closed.set(true);
    }
}
