package io.depthlab.trainer.training;

import io.depthlab.dsl.Network;
import io.depthlab.dsl.Shape;
import io.depthlab.dsl.SoftmaxOutput;
import io.depthlab.trainer.data.Augmentation;
import io.depthlab.trainer.data.Batch;
import io.depthlab.trainer.data.BatchIterator;
import io.depthlab.trainer.data.Batches;
import io.depthlab.trainer.data.ImageSet;
import io.depthlab.trainer.data.Normalization;
import io.depthlab.trainer.engine.BatchResult;
import io.depthlab.trainer.engine.Nd4jNetwork;
import io.depthlab.trainer.engine.Parameter;
import io.depthlab.trainer.engine.StepResult;
import io.depthlab.trainer.optim.GradientClipping;
import io.depthlab.trainer.optim.LearningRateSchedule;
import io.depthlab.trainer.optim.Optimizer;
import io.depthlab.trainer.optim.OptimizerSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a network on the ND4J engine, epoch after epoch, and keeps the epoch with the best
 * validation accuracy, as the study does.
 *
 * <pre>{@code
 * Trainer trainer = Trainer.builder(network)
 *         .optimizer(OptimizerSpec.adam(1e-3))
 *         .schedule(LearningRateSchedule.cosine(100, 2e-5))
 *         .epochs(100)
 *         .batchSize(100)
 *         .seed(42)
 *         .build();
 * try (TrainingResult result = trainer.train(split.train(), split.validation(), test, norm)) {
 *     ...
 * }
 * }</pre>
 *
 * <p>Per epoch: every training batch (reshuffled each epoch from the seed) runs forward, backward,
 * optional gradient clipping and one optimizer step at the epoch's learning rate; then the
 * validation set is evaluated in inference mode. See {@link EpochRecord} for what the figures mean.
 * When validation accuracy beats every earlier epoch, the parameters and state are copied aside; at
 * the end they are restored and the test set is evaluated once.
 *
 * <p>Logging: one INFO line at the start, one per epoch and one at the end, through SLF4J; batches
 * at DEBUG. Listeners get the same figures for progress displays and should not log them again.
 *
 * <p>A trainer is immutable and may run {@link #train} several times (each run builds a fresh
 * network from the seed); each run happens on the calling thread and allocates native memory, most
 * of it freed when the run ends and the rest owned by the result.
 */
public final class Trainer {
    /** The default number of epochs: {@value}. */
    public static final int DEFAULT_EPOCHS = 10;

    /** The default batch size, the study's: {@value}. */
    public static final int DEFAULT_BATCH_SIZE = 100;

    /** The default seed: {@value}. */
    public static final long DEFAULT_SEED = 42;

    private static final Logger log = LoggerFactory.getLogger(Trainer.class);

    private final Network network;
    private final OptimizerSpec optimizer;
    private final LearningRateSchedule schedule;
    private final int epochs;
    private final int batchSize;
    private final long seed;
    private final double maxGradientNorm;
    private final Augmentation augmentation;
    private final TrainingListener listener;

    private Trainer(Builder builder) {
        this.network = builder.network;
        this.optimizer = builder.optimizer == null ? OptimizerSpec.adam() : builder.optimizer;
        this.schedule =
                builder.schedule == null ? LearningRateSchedule.constant() : builder.schedule;
        this.epochs = builder.epochs == null ? DEFAULT_EPOCHS : builder.epochs;
        this.batchSize = builder.batchSize == null ? DEFAULT_BATCH_SIZE : builder.batchSize;
        this.seed = builder.seed == null ? DEFAULT_SEED : builder.seed;
        this.maxGradientNorm = builder.maxGradientNorm == null ? 0 : builder.maxGradientNorm;
        this.augmentation = builder.augmentation;
        this.listener = builder.listener == null ? TrainingListener.NONE : builder.listener;
    }

    /** Starts configuring a trainer for {@code network}, whose last layer must be a softmax. */
    public static Builder builder(Network network) {
        return new Builder(Objects.requireNonNull(network, "network"));
    }

    public Network network() {
        return network;
    }

    public int epochs() {
        return epochs;
    }

    public int batchSize() {
        return batchSize;
    }

    public long seed() {
        return seed;
    }

    /** The optimizer and schedule, e.g. {@code adam(lr=0.001, ...), cosine(epochs=100, ...)}. */
    public String describeOptimizer() {
        String text = optimizer.describe() + ", " + schedule.describe();
        return maxGradientNorm > 0 ? text + ", clip_norm=" + maxGradientNorm : text;
    }

    /**
     * Trains on {@code train}, picks the epoch by {@code validation} and reports {@code test}.
     * Batches are {@link #batchSize()} examples normalised by {@code normalization}; the training
     * batches are reshuffled every epoch from the seed and augmented if configured.
     *
     * @throws IllegalArgumentException if the sets do not fit the network (example shape, class
     *     count) or a set is empty
     * @throws UnsupportedOperationException if a layer kind is not supported by the engine
     * @throws IllegalStateException if the loss becomes NaN or infinite (training diverged)
     */
    public TrainingResult train(
            ImageSet train, ImageSet validation, ImageSet test, Normalization normalization) {
        Objects.requireNonNull(normalization, "normalization");
        Batches.Builder trainBatches =
                Batches.builder(train, normalization, batchSize).shuffle(seed);
        if (augmentation != null) {
            trainBatches.augmentation(augmentation);
        }
        return train(
                trainBatches.build(),
                Batches.builder(validation, normalization, batchSize).build(),
                Batches.builder(test, normalization, batchSize).build());
    }

    /**
     * Trains on prepared batches; the caller chooses shuffling, augmentation and batch sizes. The
     * recorded batch size is that of {@code train}.
     *
     * @see #train(ImageSet, ImageSet, ImageSet, Normalization)
     */
    public TrainingResult train(Batches train, Batches validation, Batches test) {
        checkData(train, "training");
        checkData(validation, "validation");
        checkData(test, "test");
        Nd4jNetwork net = Nd4jNetwork.create(network, seed);
        try {
            return new Run(net, train, validation, test).execute();
        } catch (RuntimeException | Error e) {
            net.close();
            throw e;
        }
    }

    private void checkData(Batches batches, String role) {
        Objects.requireNonNull(batches, role);
        ImageSet set = batches.set();
        if (set.count() == 0) {
            throw new IllegalArgumentException(role + " set: expected examples, found none");
        }
        Shape input = network.inputShape();
        Shape image = Shape.of(set.channels(), set.height(), set.width());
        boolean fits = input.equals(image) || (input.rank() == 1 && input.size() == image.size());
        if (!fits) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s set: network '%s' expects examples of shape %s, found images of"
                                    + " %s",
                            role, network.name(), input, image));
        }
        int classes = network.outputShape().dim(0);
        if (set.classCount() != classes) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s set: network '%s' has %d outputs, found %d classes",
                            role, network.name(), classes, set.classCount()));
        }
        if (!(network.layers().get(network.layers().size() - 1) instanceof SoftmaxOutput)) {
            throw new IllegalArgumentException(
                    String.format(
                            "network '%s': training needs a softmax output as the last layer",
                            network.name()));
        }
    }

    /** The state of one call to {@code train}. */
    private final class Run {
        private final Nd4jNetwork net;
        private final Batches train;
        private final Batches validation;
        private final Batches test;
        private final List<EpochRecord> records = new ArrayList<>();
        private final List<List<Double>> flow = new ArrayList<>();

        Run(Nd4jNetwork net, Batches train, Batches validation, Batches test) {
            this.net = net;
            this.train = train;
            this.validation = validation;
            this.test = test;
        }

        TrainingResult execute() {
            log.info(
                    "Training '{}' ({} parameters) for {} on {} examples, batch {}, {},"
                            + " seed {}",
                    network.name(),
                    network.parameterCount(),
                    epochs == 1 ? "1 epoch" : epochs + " epochs",
                    train.set().count(),
                    train.batchSize(),
                    describeOptimizer(),
                    seed);
            List<Parameter> parameters = net.parameters();
            int best = 0;
            double bestAccuracy = Double.NEGATIVE_INFINITY;
            try (Optimizer steps = optimizer.create(parameters);
                    GradientClipping clipping =
                            maxGradientNorm > 0
                                    ? new GradientClipping(parameters, maxGradientNorm)
                                    : null;
                    InputBuffer input = new InputBuffer(network.inputShape(), net.dataType());
                    Snapshot snapshot = new Snapshot(net)) {
                for (int epoch = 1; epoch <= epochs; epoch++) {
                    EpochRecord record = epoch(epoch, steps, clipping, input);
                    records.add(record);
                    if (record.validAccuracy() > bestAccuracy) {
                        bestAccuracy = record.validAccuracy();
                        best = epoch;
                        snapshot.save();
                    }
                    logEpoch(record);
                    listener.onEpochEnd(record);
                    listener.onGradientFlow(gradientFlow());
                }
                snapshot.restore();
                BatchResult tested = evaluate(test, 0, input);
                return finish(best, tested);
            }
        }

        private EpochRecord epoch(
                int epoch, Optimizer steps, GradientClipping clipping, InputBuffer input) {
            long start = System.nanoTime();
            double learningRate = schedule.learningRate(optimizer.learningRate(), epoch);
            double lossSum = 0;
            long correct = 0;
            long examples = 0;
            double[] flowSums = new double[net.weights().size()];
            int batchCount = 0;
            listener.onEpochStart(epoch, train.batchCount());
            try (BatchIterator batches = train.epoch(epoch - 1)) {
                while (batches.hasNext()) {
                    Batch batch = batches.next();
                    StepResult step =
                            net.trainStep(
                                    input.wrap(batch.features(), batch.size()), batch.labels());
                    checkFinite(step.loss(), epoch, batchCount);
                    if (clipping != null) {
                        clipping.clip();
                    }
                    steps.step(learningRate);
                    lossSum += step.loss() * step.examples();
                    correct += step.correct();
                    examples += step.examples();
                    for (int i = 0; i < flowSums.length; i++) {
                        flowSums[i] += step.weightGradientMeans()[i];
                    }
                    log.debug("Epoch {} batch {}: loss {}", epoch, batchCount, step.loss());
                    listener.onBatch(epoch, batchCount, step.loss());
                    batchCount++;
                }
            }
            List<Double> epochFlow = new ArrayList<>();
            for (double sum : flowSums) {
                epochFlow.add(sum / batchCount);
            }
            flow.add(epochFlow);
            BatchResult validated = evaluate(validation, epoch, input);
            return new EpochRecord(
                    epoch,
                    lossSum / examples,
                    correct / (double) examples,
                    validated.loss(),
                    validated.correct() / (double) validated.examples(),
                    (System.nanoTime() - start) / 1e9,
                    learningRate);
        }

        /** Mean loss and total correct over a set, in inference mode. */
        private BatchResult evaluate(Batches batches, int epoch, InputBuffer input) {
            double lossSum = 0;
            int correct = 0;
            int examples = 0;
            try (BatchIterator iterator = batches.epoch(Math.max(0, epoch - 1))) {
                while (iterator.hasNext()) {
                    Batch batch = iterator.next();
                    BatchResult result =
                            net.evaluate(
                                    input.wrap(batch.features(), batch.size()), batch.labels());
                    lossSum += result.loss() * result.examples();
                    correct += result.correct();
                    examples += result.examples();
                }
            }
            return new BatchResult(lossSum / examples, correct, examples);
        }

        private GradientFlow gradientFlow() {
            return new GradientFlow(net.weights().stream().map(Parameter::name).toList(), flow);
        }

        private TrainingResult finish(int best, BatchResult tested) {
            TrainingResult result =
                    new TrainingResult(
                            net,
                            records,
                            best,
                            tested.loss(),
                            tested.correct() / (double) tested.examples(),
                            gradientFlow(),
                            describeOptimizer(),
                            seed,
                            train.batchSize(),
                            train.set().count(),
                            validation.set().count(),
                            test.set().count(),
                            Instant.now());
            log.info(
                    "Finished '{}': best epoch {} (valid acc {}), test loss {}, test acc {}",
                    network.name(),
                    best,
                    percent(result.best().validAccuracy()),
                    fixed(result.testLoss()),
                    percent(result.testAccuracy()));
            return result;
        }

        private void logEpoch(EpochRecord record) {
            log.info(
                    "Epoch {}/{}: train loss {} acc {}, valid loss {} acc {}, lr {}, {} s",
                    record.epoch(),
                    epochs,
                    fixed(record.trainLoss()),
                    percent(record.trainAccuracy()),
                    fixed(record.validLoss()),
                    percent(record.validAccuracy()),
                    // Four significant digits: a cosine schedule's 9.064e-4 rather than 17.
                    String.format(Locale.ROOT, "%.4g", record.learningRate()),
                    fixed(record.seconds()));
        }
    }

    private static void checkFinite(double loss, int epoch, int batch) {
        if (!Double.isFinite(loss)) {
            throw new IllegalStateException(
                    String.format(
                            "epoch %d, batch %d: expected a finite loss, found %s; training"
                                    + " diverged (try a lower learning rate or gradient"
                                    + " clipping)",
                            epoch, batch, loss));
        }
    }

    private static String fixed(double value) {
        return String.format(Locale.ROOT, "%.4f", value);
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * fraction);
    }

    /** Optional settings of a {@link Trainer}; each may be set once. Not thread safe. */
    public static final class Builder {
        private final Network network;
        private OptimizerSpec optimizer;
        private LearningRateSchedule schedule;
        private Integer epochs;
        private Integer batchSize;
        private Long seed;
        private Double maxGradientNorm;
        private Augmentation augmentation;
        private TrainingListener listener;

        private Builder(Network network) {
            this.network = network;
        }

        /** Default {@link OptimizerSpec#adam()}: the study's Adam. */
        public Builder optimizer(OptimizerSpec optimizer) {
            unset(this.optimizer, "optimizer");
            this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
            return this;
        }

        /** Default {@link LearningRateSchedule#constant()}. */
        public Builder schedule(LearningRateSchedule schedule) {
            unset(this.schedule, "schedule");
            this.schedule = Objects.requireNonNull(schedule, "schedule");
            return this;
        }

        /** At least 1; default {@value #DEFAULT_EPOCHS}. */
        public Builder epochs(int epochs) {
            unset(this.epochs, "epochs");
            this.epochs = positive(epochs, "epochs");
            return this;
        }

        /** Examples per batch, at least 1; default {@value #DEFAULT_BATCH_SIZE}. */
        public Builder batchSize(int batchSize) {
            unset(this.batchSize, "batchSize");
            this.batchSize = positive(batchSize, "batch size");
            return this;
        }

        /**
         * Seeds the initial parameters, the dropout masks and the training order; default {@value
         * #DEFAULT_SEED}.
         */
        public Builder seed(long seed) {
            unset(this.seed, "seed");
            this.seed = seed;
            return this;
        }

        /** Clips gradients to this global L2 norm before each step; default: no clipping. */
        public Builder clipGradientNorm(double maxNorm) {
            unset(this.maxGradientNorm, "clipGradientNorm");
            if (!(maxNorm > 0) || !Double.isFinite(maxNorm)) {
                throw new IllegalArgumentException(
                        "gradient clipping: expected a positive finite norm, found " + maxNorm);
            }
            this.maxGradientNorm = maxNorm;
            return this;
        }

        /** Augments training examples (not validation or test); default: none. */
        public Builder augmentation(Augmentation augmentation) {
            unset(this.augmentation, "augmentation");
            this.augmentation = Objects.requireNonNull(augmentation, "augmentation");
            return this;
        }

        /** Default {@link TrainingListener#NONE}. */
        public Builder listener(TrainingListener listener) {
            unset(this.listener, "listener");
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        public Trainer build() {
            return new Trainer(this);
        }

        private static int positive(int value, String what) {
            if (value < 1) {
                throw new IllegalArgumentException(
                        "trainer " + what + ": expected at least 1, found " + value);
            }
            return value;
        }

        private static void unset(Object current, String property) {
            if (current != null) {
                throw new IllegalStateException("trainer " + property + " is already set");
            }
        }
    }
}
