package io.depthlab.trainer.inference;

import io.depthlab.dsl.Network;
import io.depthlab.dsl.NetworkProtos;
import io.depthlab.proto.bundle.ModelBundle;
import io.depthlab.proto.bundle.Preprocessing;
import io.depthlab.proto.bundle.Tensor;
import io.depthlab.trainer.bundle.BundleException;
import io.depthlab.trainer.bundle.Bundles;
import io.depthlab.trainer.engine.Nd4jNetwork;
import io.depthlab.trainer.engine.NdArrays;
import io.depthlab.trainer.engine.Parameter;
import io.depthlab.trainer.engine.StateTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A {@link Classifier} that runs a model bundle's network on the ND4J engine, in inference mode (no
 * dropout, batch norm with its running statistics).
 *
 * <p>Thread safety: calls to {@link #predictProbabilities} are serialised by a lock, because the
 * engine's layers keep per-pass state; the preprocessing runs outside the lock. For parallel
 * throughput, load one classifier per worker thread. Every native array a call creates is released
 * before it returns.
 */
public final class Nd4jClassifier implements Classifier {
    private final ModelBundle bundle;
    private final Nd4jNetwork network;
    private final int inputSize;
    private final int classCount;
    // x = raw * gain[c] + offset[c], precomputed in double and rounded once, as the trainer's
    // normalisation does, so the same pixels give the same input bits.
    private final float[] gain;
    private final float[] offset;
    private final int planeSize;
    private boolean closed;

    private Nd4jClassifier(ModelBundle bundle, Nd4jNetwork network) {
        this.bundle = bundle;
        this.network = network;
        Network spec = network.spec();
        this.inputSize = Math.toIntExact(spec.inputShape().size());
        this.classCount = spec.outputShape().dim(0);
        Preprocessing preprocessing = bundle.getPreprocessing();
        int pairs = preprocessing.getMeanCount();
        this.gain = new float[pairs];
        this.offset = new float[pairs];
        for (int c = 0; c < pairs; c++) {
            double std = preprocessing.getStd(c);
            gain[c] = (float) ((double) preprocessing.getScale() / std);
            offset[c] = (float) (-(double) preprocessing.getMean(c) / std);
        }
        this.planeSize = inputSize / pairs;
    }

    /**
     * Builds the bundle's network and loads its tensors.
     *
     * @throws BundleException if the bundle fails {@link Bundles#check}, its network spec is
     *     invalid or uses a kind the engine lacks, a parameter or state tensor is missing, extra,
     *     repeated or mis-shaped (naming the tensor, the expected and the found shape), the
     *     preprocessing does not fit the network's input, or the class labels do not match its
     *     outputs
     */
    public static Nd4jClassifier load(ModelBundle bundle) throws BundleException {
        Objects.requireNonNull(bundle, "bundle");
        String source = "model bundle '" + bundle.getModelName() + "'";
        Bundles.check(bundle, source);
        Network spec;
        try {
            spec = NetworkProtos.fromProto(bundle.getNetwork());
        } catch (IllegalArgumentException e) {
            throw new BundleException(source + ": " + e.getMessage(), e);
        }
        checkHead(spec, source);
        checkPreprocessing(bundle, spec, source);
        checkLabels(bundle, spec, source);
        Nd4jNetwork network;
        try {
            network = Nd4jNetwork.create(spec, 0);
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            throw new BundleException(source + ": " + e.getMessage(), e);
        }
        try {
            assign(bundle, network, source);
        } catch (BundleException | RuntimeException e) {
            network.close();
            throw e;
        }
        return new Nd4jClassifier(bundle, network);
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
        Objects.requireNonNull(raw, "raw");
        if (batchSize < 1) {
            throw new IllegalArgumentException(
                    "batch size: expected at least 1 example, found " + batchSize);
        }
        if ((long) raw.length != (long) batchSize * inputSize) {
            throw new IllegalArgumentException(
                    String.format(
                            "raw input: expected %d values (%d examples of %d), found %d",
                            (long) batchSize * inputSize, batchSize, inputSize, raw.length));
        }
        float[] normalized = normalize(raw);
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException(bundle.getModelName() + ": classifier is closed");
            }
            return network.predict(normalized, batchSize);
        }
    }

    /** Frees the network; idempotent. Later predictions fail with IllegalStateException. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            network.close();
        }
    }

    private float[] normalize(float[] raw) {
        float[] x = new float[raw.length];
        for (int i = 0; i < raw.length; i++) {
            int c = gain.length == 1 ? 0 : (i % inputSize) / planeSize;
            x[i] = raw[i] * gain[c] + offset[c];
        }
        return x;
    }

    private static void checkHead(Network spec, String source) throws BundleException {
        if (!(spec.layers().get(spec.layers().size() - 1)
                instanceof io.depthlab.dsl.SoftmaxOutput)) {
            throw new BundleException(
                    source
                            + ": expected a network ending in a softmax output, found "
                            + spec.layers().get(spec.layers().size() - 1).kind());
        }
    }

    private static void checkPreprocessing(ModelBundle bundle, Network spec, String source)
            throws BundleException {
        if (!bundle.hasPreprocessing()) {
            throw new BundleException(source + ": expected preprocessing, found none");
        }
        Preprocessing p = bundle.getPreprocessing();
        long rawSize = p.getInputShapeCount() == 0 ? 0 : 1;
        for (long dim : p.getInputShapeList()) {
            rawSize *= dim;
        }
        if (rawSize != spec.inputShape().size()) {
            throw new BundleException(
                    String.format(
                            "%s: preprocessing input shape %s holds %d values per example, the"
                                    + " network input %s expects %d",
                            source,
                            p.getInputShapeList(),
                            rawSize,
                            spec.inputShape(),
                            spec.inputShape().size()));
        }
        if (!(p.getScale() > 0) || !Float.isFinite(p.getScale())) {
            throw new BundleException(
                    source
                            + ": preprocessing scale: expected a positive number, found "
                            + p.getScale());
        }
        int pairs = p.getMeanCount();
        boolean perChannel = pairs == p.getInputShape(0) && rawSize % pairs == 0;
        if (pairs != p.getStdCount() || (pairs != 1 && !perChannel)) {
            throw new BundleException(
                    String.format(
                            "%s: preprocessing: expected one mean and std, or one per channel"
                                    + " (%d), found %d means and %d stds",
                            source, p.getInputShape(0), pairs, p.getStdCount()));
        }
        for (int c = 0; c < pairs; c++) {
            if (!(p.getStd(c) > 0)
                    || !Float.isFinite(p.getStd(c))
                    || !Float.isFinite(p.getMean(c))) {
                throw new BundleException(
                        String.format(
                                "%s: preprocessing channel %d: expected a finite mean and a"
                                        + " positive std, found %s and %s",
                                source, c, p.getMean(c), p.getStd(c)));
            }
        }
    }

    private static void checkLabels(ModelBundle bundle, Network spec, String source)
            throws BundleException {
        int classes = spec.outputShape().dim(0);
        if (bundle.getClassLabelsCount() != classes) {
            throw new BundleException(
                    String.format(
                            "%s: expected %d class labels, one per network output, found %d",
                            source, classes, bundle.getClassLabelsCount()));
        }
    }

    private static void assign(ModelBundle bundle, Nd4jNetwork network, String source)
            throws BundleException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Tensor tensor : bundle.getParametersList()) {
            if (tensors.put(tensor.getName(), tensor) != null) {
                throw new BundleException(
                        source + ": tensor '" + tensor.getName() + "' appears more than once");
            }
        }
        List<String> expected = new ArrayList<>();
        for (Parameter parameter : network.parameters()) {
            expected.add(parameter.name());
            load(
                    tensors.remove(parameter.name()),
                    parameter.name(),
                    parameter.value(),
                    Double.NEGATIVE_INFINITY,
                    source);
        }
        for (StateTensor state : network.state()) {
            expected.add(state.name());
            load(
                    tensors.remove(state.name()),
                    state.name(),
                    state.value(),
                    state.minimum(),
                    source);
        }
        if (!tensors.isEmpty()) {
            throw new BundleException(
                    String.format(
                            "%s: tensors %s belong to no layer of the network; expected only %s",
                            source, tensors.keySet(), expected));
        }
    }

    private static void load(
            Tensor tensor, String name, INDArray target, double minimum, String source)
            throws BundleException {
        if (tensor == null) {
            throw new BundleException(
                    String.format(
                            "%s: tensor '%s' of shape %s is missing",
                            source, name, Arrays.toString(target.shape())));
        }
        long[] shape = tensor.getShapeList().stream().mapToLong(Long::longValue).toArray();
        if (!Arrays.equals(shape, target.shape())) {
            throw new BundleException(
                    String.format(
                            "%s: tensor '%s': expected shape %s, found %s",
                            source, name, Arrays.toString(target.shape()), Arrays.toString(shape)));
        }
        float[] values = new float[tensor.getValuesCount()];
        for (int i = 0; i < values.length; i++) {
            values[i] = tensor.getValues(i);
            if (values[i] < minimum) {
                // A negative batch-norm variance would turn every prediction into NaN.
                throw new BundleException(
                        String.format(
                                "%s: tensor '%s' holds %s at index %d; expected values >= %s",
                                source, name, values[i], i, minimum));
            }
        }
        INDArray loaded = Nd4j.create(values, shape, target.dataType());
        target.assign(loaded);
        NdArrays.release(loaded);
    }
}
