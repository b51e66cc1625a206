package io.depthlab.trainer.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.depthlab.dsl.Dense;
import io.depthlab.dsl.Network;
import io.depthlab.dsl.SoftmaxOutput;
import io.depthlab.trainer.data.Batch;
import io.depthlab.trainer.data.BatchIterator;
import io.depthlab.trainer.data.Batches;
import io.depthlab.trainer.data.ImageSet;
import io.depthlab.trainer.data.Normalization;
import io.depthlab.trainer.engine.BatchResult;
import io.depthlab.trainer.optim.OptimizerSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class TrainerTest {
    private static final Normalization SCALE = Normalization.scaleOnly(1f / 255f);
    private static final ImageSet TRAIN = SyntheticData.images(600, 1);
    private static final ImageSet VALID = SyntheticData.images(150, 2);
    private static final ImageSet TEST = SyntheticData.images(150, 3);

    @Test
    void train_separableData_reachesHighAccuracy() {
        Trainer trainer =
                Trainer.builder(SyntheticData.mlp())
                        .optimizer(OptimizerSpec.adam(1e-2))
                        .epochs(5)
                        .batchSize(20)
                        .seed(7)
                        .build();

        try (TrainingResult result = trainer.train(TRAIN, VALID, TEST, SCALE)) {

            assertThat(result.testAccuracy()).isGreaterThan(0.95);
            assertThat(result.epochs()).hasSize(5);
            assertThat(result.epochs().get(4).trainLoss())
                    .isLessThan(result.epochs().get(0).trainLoss());
            assertThat(result.trainExamples()).isEqualTo(600);
            assertThat(result.batchSize()).isEqualTo(20);
            assertThat(result.gradientFlow().weightNames())
                    .containsExactly("dense_1.weight", "dense_2.weight");
            assertThat(result.gradientFlow().epochs()).hasSize(5);
            assertThat(result.gradientFlow().value(1, 0)).isPositive();
        }
    }

    @Test
    void train_sameSeed_sameRecords() {
        Trainer trainer =
                Trainer.builder(SyntheticData.mlp())
                        .optimizer(OptimizerSpec.adam(1e-2))
                        .epochs(2)
                        .batchSize(32)
                        .seed(11)
                        .build();

        List<Double> first = new ArrayList<>();
        List<Double> second = new ArrayList<>();
        try (TrainingResult a = trainer.train(TRAIN, VALID, TEST, SCALE);
                TrainingResult b = trainer.train(TRAIN, VALID, TEST, SCALE)) {
            a.epochs().forEach(r -> first.add(r.trainLoss()));
            b.epochs().forEach(r -> second.add(r.trainLoss()));
            first.add(a.testLoss());
            second.add(b.testLoss());
        }

        assertThat(first).isEqualTo(second);
    }

    @Test
    void train_laterEpochWorse_restoresBestEpoch() {
        // Validation labels follow another rule (class k is labelled k + 1), so the better the
        // network learns the training rule, the worse it validates: an early epoch must win.
        ImageSet relabelled = relabel(VALID);
        Trainer trainer =
                Trainer.builder(linear())
                        .optimizer(OptimizerSpec.sgd(0.05))
                        .epochs(4)
                        .batchSize(50)
                        .seed(3)
                        .build();

        try (TrainingResult result = trainer.train(TRAIN, relabelled, TEST, SCALE)) {
            BatchResult valid = evaluate(result, relabelled);

            assertThat(result.bestEpoch()).isLessThan(4);
            assertThat(result.best().validLoss()).isLessThan(result.epochs().get(3).validLoss());
            assertThat(valid.correct() / 150.0)
                    .isCloseTo(result.best().validAccuracy(), within(1e-12));
            assertThat(valid.loss()).isCloseTo(result.best().validLoss(), within(1e-6));
        }
    }

    @Test
    void train_listener_seesEveryEpochAndBatchInOrder() {
        List<String> events = new ArrayList<>();
        TrainingListener listener =
                new TrainingListener() {
                    @Override
                    public void onEpochStart(int epoch, int batches) {
                        events.add("start " + epoch + " " + batches);
                    }

                    @Override
                    public void onBatch(int epoch, int batchIndex, double loss) {
                        events.add("batch " + epoch + " " + batchIndex);
                    }

                    @Override
                    public void onEpochEnd(EpochRecord record) {
                        events.add("end " + record.epoch());
                    }

                    @Override
                    public void onGradientFlow(GradientFlow soFar) {
                        events.add("flow " + soFar.epochs().size());
                    }
                };
        Trainer trainer =
                Trainer.builder(linear()).epochs(2).batchSize(250).listener(listener).build();

        try (TrainingResult result = trainer.train(TRAIN, VALID, TEST, SCALE)) {

            // 600 examples in batches of 250: 250, 250, 100.
            assertThat(events)
                    .containsExactly(
                            "start 1 3",
                            "batch 1 0",
                            "batch 1 1",
                            "batch 1 2",
                            "end 1",
                            "flow 1",
                            "start 2 3",
                            "batch 2 0",
                            "batch 2 1",
                            "batch 2 2",
                            "end 2",
                            "flow 2");
            assertThat(result.epochs().get(1).learningRate()).isEqualTo(1e-3);
        }
    }

    @Test
    void train_classCountMismatch_throwsBeforeTraining() {
        Network fourClasses =
                Network.sequential("four")
                        .input(16)
                        .layer(Dense.units(4))
                        .layer(SoftmaxOutput.create())
                        .build();
        Trainer trainer = Trainer.builder(fourClasses).epochs(1).build();

        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> trainer.train(TRAIN, VALID, TEST, SCALE));

        assertThat(e).hasMessage("training set: network 'four' has 4 outputs, found 3 classes");
    }

    @Test
    void train_shapeMismatch_throwsNamingBothShapes() {
        Network wide =
                Network.sequential("wide")
                        .input(20)
                        .layer(Dense.units(3))
                        .layer(SoftmaxOutput.create())
                        .build();
        Trainer trainer = Trainer.builder(wide).epochs(1).build();

        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> trainer.train(TRAIN, VALID, TEST, SCALE));

        assertThat(e)
                .hasMessage(
                        "training set: network 'wide' expects examples of shape [20], found"
                                + " images of [1, 4, 4]");
    }

    @Test
    void builder_epochsTwice_throws() {
        Trainer.Builder builder = Trainer.builder(linear()).epochs(2);

        assertThrows(IllegalStateException.class, () -> builder.epochs(3));
    }

    private static Network linear() {
        return Network.sequential("linear")
                .input(16)
                .layer(Dense.units(3))
                .layer(SoftmaxOutput.create())
                .build();
    }

    private static ImageSet relabel(ImageSet set) {
        int[] labels = set.labels();
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (labels[i] + 1) % SyntheticData.CLASSES;
        }
        byte[] pixels = new byte[set.count() * set.exampleSize()];
        set.pixels().get(pixels);
        return ImageSet.of(
                1, SyntheticData.SIZE, SyntheticData.SIZE, pixels, labels, set.classNames());
    }

    private static BatchResult evaluate(TrainingResult result, ImageSet set) {
        try (BatchIterator batches =
                Batches.builder(set, SCALE, set.count()).prefetch(0).build().epoch(0)) {
            Batch batch = batches.next();
            INDArray x =
                    Nd4j.createFromArray(batch.features()).reshape(batch.size(), set.exampleSize());
            return result.network().evaluate(x, batch.labels());
        }
    }
}
