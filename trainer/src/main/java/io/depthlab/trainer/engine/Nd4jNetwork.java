package io.depthlab.trainer.engine;

import io.depthlab.dsl.Layer;
import io.depthlab.dsl.Network;
import io.depthlab.dsl.Penalty;
import io.depthlab.trainer.engine.conv.ConvLayers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.floating.AMean;
import org.nd4j.linalg.api.ops.impl.reduce.floating.SquaredNorm;
import org.nd4j.linalg.api.ops.impl.reduce.same.ASum;
import org.nd4j.linalg.api.ops.impl.transforms.same.Sign;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A {@link Network} spec made runnable on ND4J: one {@link EngineLayer} per spec layer, their
 * parameters, and the forward, loss and backward passes of a training step.
 *
 * <p>Arrays: the caller owns the features it passes in and whatever a method returns; every
 * intermediate array of a pass is released before the method returns (see {@link EngineLayer} for
 * the layer contract). Parameters and their gradients live as long as the network; {@link #close()}
 * frees them.
 *
 * <p>Loss: the batch-mean cross-entropy of the {@link LossHead} (the softmax output), plus the
 * weight penalties: each weight tensor takes its layer's penalties and the network-wide ones (L1
 * {@code c * sum|w|}, L2 {@code 0.5 * c * sum w^2}), whose gradients {@link #trainStep} adds to the
 * data gradients. Reported losses ({@link StepResult#loss()}, {@link BatchResult#loss()}) are the
 * cross-entropy alone, as the study reports them; {@link #penalty()} gives the penalty term.
 *
 * <p>Not thread safe: layers cache the arrays of the pass in progress. Confine a network to one
 * thread, or guard every call with one lock.
 */
public final class Nd4jNetwork implements AutoCloseable {
    /** The name of the per-thread workspace that passes run in. */
    public static final String WORKSPACE = "depthlab-pass";

    // Learn the size on the first pass, over-allocate 20% and grow when a later pass needs more
    // (a bigger batch); reset to the start of the block when each pass ends.
    private static final WorkspaceConfiguration PASS =
            WorkspaceConfiguration.builder()
                    .initialSize(0)
                    .overallocationLimit(0.2)
                    .policyAllocation(AllocationPolicy.OVERALLOCATE)
                    .policyLearning(LearningPolicy.FIRST_LOOP)
                    .policyReset(ResetPolicy.BLOCK_LEFT)
                    .policySpill(SpillPolicy.REALLOCATE)
                    .build();

    private final Network spec;
    private final List<EngineLayer> layers;
    private final List<Parameter> parameters;
    private final List<Parameter> weights;
    private final List<List<Penalty>> weightPenalties;
    private final List<INDArray> penaltyScratch;
    // The network's data type, and the target of scalar reductions (no per-step allocation).
    private final INDArray scalar;
    private boolean closed;

    private Nd4jNetwork(Network spec, List<EngineLayer> layers) {
        this.spec = spec;
        this.layers = List.copyOf(layers);
        ConvLayers.foldBatchNorms(this.layers);
        List<Parameter> all = new ArrayList<>();
        layers.forEach(layer -> all.addAll(layer.parameters()));
        this.parameters = List.copyOf(all);
        this.weights = all.stream().filter(Parameter::isWeight).toList();
        List<List<Penalty>> penalties = new ArrayList<>();
        List<INDArray> scratch = new ArrayList<>();
        for (Parameter weight : weights) {
            List<Penalty> both = new ArrayList<>(weight.penalties());
            both.addAll(spec.penalties());
            penalties.add(List.copyOf(both));
            boolean l1 = both.stream().anyMatch(p -> p.kind() == Penalty.Kind.L1);
            scratch.add(l1 ? weight.value().ulike() : null);
        }
        this.weightPenalties = List.copyOf(penalties);
        this.penaltyScratch = scratch;
        this.scalar = Nd4j.scalar(Nd4j.defaultFloatingPointType(), 0.0);
    }

    /**
     * Creates the engine layers of {@code spec}, which validates the whole network: a kind the
     * engine does not implement fails here, before any training. Each layer draws its own seed from
     * {@code seed} in layer order, so a seed reproduces the initial parameters.
     *
     * @throws UnsupportedOperationException naming the first layer whose kind is not supported
     */
    public static Nd4jNetwork create(Network spec, long seed) {
        Objects.requireNonNull(spec, "spec");
        SplittableRandom seeds = new SplittableRandom(seed);
        List<EngineLayer> layers = new ArrayList<>();
        try {
            for (int i = 0; i < spec.layers().size(); i++) {
                Layer layer = spec.layers().get(i);
                layers.add(EngineLayers.create(layer, spec.inputShapeOf(i), seeds.nextLong()));
            }
        } catch (RuntimeException e) {
            layers.forEach(EngineLayer::close);
            throw e;
        }
        return new Nd4jNetwork(spec, layers);
    }

    public Network spec() {
        return spec;
    }

    /** The engine layers, in order. */
    public List<EngineLayer> layers() {
        return layers;
    }

    /** Every trained parameter, in layer order and each layer's own order. */
    public List<Parameter> parameters() {
        return parameters;
    }

    /** The weight tensors (penalised, recorded in gradient flow), in layer order. */
    public List<Parameter> weights() {
        return weights;
    }

    /** The untrained saved tensors (e.g. batch-norm running statistics), in layer order. */
    public List<StateTensor> state() {
        List<StateTensor> state = new ArrayList<>();
        layers.forEach(layer -> state.addAll(layer.state()));
        return state;
    }

    /**
     * The network's output for a batch in inference mode (no dropout, batch norm with running
     * statistics): class probabilities {@code [batch, classes]} for a classifier. The result is
     * copied out of the workspace, so it costs one allocation that only the garbage collector
     * frees; loops should use {@link #predict} or {@link #evaluate}.
     *
     * @param features {@code [batch, inputShape...]}, owned by the caller and left open
     * @return a new array owned by the caller, outside any workspace
     */
    public INDArray output(INDArray features) {
        checkOpen();
        checkFeatures(features);
        try (MemoryWorkspace workspace = workspace()) {
            List<INDArray> activations = forward(features, false);
            INDArray output = activations.get(activations.size() - 1);
            INDArray detached = output.isAttached() ? output.detach() : output.dup();
            releaseAll(activations, features, null);
            return detached;
        }
    }

    /**
     * The network's output in inference mode, as Java floats: for a classifier, {@code batchSize *
     * classes} probabilities, example after example. Allocates no native memory outside the
     * workspace, so servers can call it for every request.
     *
     * @param features {@code batchSize * inputShape.size()} network inputs (already normalised),
     *     example after example, row-major within each example
     * @throws IllegalArgumentException if the length does not match {@code batchSize}
     */
    public float[] predict(float[] features, int batchSize) {
        checkOpen();
        Objects.requireNonNull(features, "features");
        long[] shape = batchShape(batchSize);
        if (batchSize < 1 || features.length != (long) batchSize * spec.inputShape().size()) {
            throw new IllegalArgumentException(
                    String.format(
                            "network '%s': expected %d examples of %d values, found %d values",
                            spec.name(), batchSize, spec.inputShape().size(), features.length));
        }
        try (MemoryWorkspace workspace = workspace()) {
            INDArray input = Nd4j.create(features, shape, dataType());
            List<INDArray> activations = forward(input, false);
            INDArray output = activations.get(activations.size() - 1);
            float[] values =
                    output.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT)
                            .dup('c')
                            .data()
                            .asFloat();
            releaseAll(activations, input, null);
            return values;
        }
    }

    /**
     * The loss and accuracy of a batch in inference mode, without touching gradients.
     *
     * @param labels one class index per example
     */
    public BatchResult evaluate(INDArray features, int[] labels) {
        LossHead head = head();
        checkFeatures(features);
        try (MemoryWorkspace workspace = workspace()) {
            List<INDArray> activations = forward(features, false);
            try {
                return new BatchResult(head.loss(labels), head.correct(labels), labels.length);
            } finally {
                releaseAll(activations, features, null);
            }
        }
    }

    /**
     * One training step without the update: forward in training mode, loss, backward, then the
     * penalty gradients. Afterwards every {@link Parameter#gradient()} holds the gradient of the
     * batch-mean loss plus penalties, ready for an optimizer.
     *
     * @param features {@code [batch, inputShape...]}, owned by the caller and left open
     * @param labels one class index per example
     * @return the batch's cross-entropy and accuracy (measured with dropout active, before the
     *     update) and the mean absolute data gradient of each weight tensor (before penalties)
     */
    public StepResult trainStep(INDArray features, int[] labels) {
        LossHead head = head();
        checkFeatures(features);
        try (MemoryWorkspace workspace = workspace();
                Pass pass = new Pass(forward(features, true), features)) {
            double loss = head.loss(labels);
            int correct = head.correct(labels);
            backward(head.lossGradient(labels));
            double[] flow = new double[weights.size()];
            for (int i = 0; i < flow.length; i++) {
                flow[i] = reduce(new AMean(weights.get(i).gradient(), scalar));
            }
            addPenaltyGradients();
            return new StepResult(loss, correct, labels.length, flow);
        }
    }

    /** Releases a pass's activations (a no-op inside the workspace, kept for the contract). */
    private record Pass(List<INDArray> activations, INDArray features) implements AutoCloseable {
        @Override
        public void close() {
            releaseAll(activations, features, null);
        }
    }

    /** The current penalty term: the sum over weight tensors of their penalties. */
    public double penalty() {
        checkOpen();
        double total = 0;
        for (int i = 0; i < weights.size(); i++) {
            INDArray value = weights.get(i).value();
            for (Penalty penalty : weightPenalties.get(i)) {
                total +=
                        switch (penalty.kind()) {
                            case L1 -> penalty.coefficient() * reduce(new ASum(value, scalar));
                            case L2 ->
                                    0.5
                                            * penalty.coefficient()
                                            * reduce(new SquaredNorm(value, scalar));
                        };
            }
        }
        return total;
    }

    /** Frees every parameter, gradient and state tensor; later calls fail. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        layers.forEach(EngineLayer::close);
        penaltyScratch.forEach(NdArrays::release);
        NdArrays.release(scalar);
    }

    private static MemoryWorkspace workspace() {
        return Nd4j.getWorkspaceManager().getAndActivateWorkspace(PASS, WORKSPACE);
    }

    private long[] batchShape(int batchSize) {
        long[] shape = new long[spec.inputShape().rank() + 1];
        shape[0] = batchSize;
        for (int i = 0; i < spec.inputShape().rank(); i++) {
            shape[i + 1] = spec.inputShape().dim(i);
        }
        return shape;
    }

    private List<INDArray> forward(INDArray features, boolean training) {
        List<INDArray> activations = new ArrayList<>(layers.size());
        // Images come in NCHW and run in the engine's NHWC: one copy per pass, in the workspace.
        INDArray x = features.rank() == 4 ? ImageLayout.toEngine(features) : features;
        try {
            for (int i = 0; i < layers.size(); i++) {
                boolean inputIsScratch =
                        i == 0 ? x != features : layers.get(i - 1).outputIsScratch();
                x = layers.get(i).forward(x, training, inputIsScratch);
                activations.add(x);
            }
        } catch (RuntimeException e) {
            releaseAll(activations, features, null);
            throw e;
        }
        return activations;
    }

    private void backward(INDArray lossGradient) {
        // A layer may return a view of its gradOutput (a reshape), so no gradient is released
        // before the pass is over.
        List<INDArray> gradients = new ArrayList<>(layers.size());
        gradients.add(lossGradient);
        try {
            INDArray gradient = lossGradient;
            for (int i = layers.size() - 2; i >= 0; i--) {
                gradient = layers.get(i).backward(gradient, i > 0);
                gradients.add(gradient);
            }
        } finally {
            gradients.forEach(NdArrays::release);
        }
    }

    private void addPenaltyGradients() {
        for (int i = 0; i < weights.size(); i++) {
            Parameter weight = weights.get(i);
            for (Penalty penalty : weightPenalties.get(i)) {
                INDArray direction = weight.value();
                if (penalty.kind() == Penalty.Kind.L1) {
                    direction = penaltyScratch.get(i);
                    Nd4j.getExecutioner().exec(new Sign(weight.value(), direction));
                }
                Nd4j.getBlasWrapper()
                        .level1()
                        .axpy(weight.length(), penalty.coefficient(), direction, weight.gradient());
            }
        }
    }

    /** The data type of parameters and expected features: ND4J's default when created. */
    public org.nd4j.linalg.api.buffer.DataType dataType() {
        return scalar.dataType();
    }

    private double reduce(org.nd4j.linalg.api.ops.ReduceOp op) {
        Nd4j.getExecutioner().exec(op);
        return scalar.getDouble(0);
    }

    private LossHead head() {
        checkOpen();
        if (!(layers.get(layers.size() - 1) instanceof LossHead head)) {
            Layer last = spec.layers().get(spec.layers().size() - 1);
            throw new IllegalStateException(
                    String.format(
                            "network '%s': training and evaluation need a softmax output as the"
                                    + " last layer, found %s '%s'",
                            spec.name(), last.kind(), last.name()));
        }
        return head;
    }

    private void checkFeatures(INDArray features) {
        Objects.requireNonNull(features, "features");
        long[] expected = batchShape((int) features.size(0));
        if (!Arrays.equals(expected, features.shape()) || features.size(0) < 1) {
            throw new IllegalArgumentException(
                    String.format(
                            "network '%s': expected features of shape [batch, %s], found %s",
                            spec.name(),
                            spec.inputShape().toString().replaceAll("[\\[\\]]", ""),
                            Arrays.toString(features.shape())));
        }
        if (features.dataType() != scalar.dataType()) {
            throw new IllegalArgumentException(
                    String.format(
                            "network '%s': expected features of type %s, found %s",
                            spec.name(), scalar.dataType(), features.dataType()));
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("network '" + spec.name() + "' is closed");
        }
    }

    private static void releaseAll(List<INDArray> arrays, INDArray features, INDArray keep) {
        for (INDArray array : arrays) {
            if (array != features && array != keep) {
                NdArrays.release(array);
            }
        }
    }
}
