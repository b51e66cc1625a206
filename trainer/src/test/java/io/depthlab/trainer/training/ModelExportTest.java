package io.depthlab.trainer.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.depthlab.dsl.BatchNorm;
import io.depthlab.dsl.Dense;
import io.depthlab.dsl.Network;
import io.depthlab.dsl.SoftmaxOutput;
import io.depthlab.proto.bundle.ModelBundle;
import io.depthlab.proto.bundle.Preprocessing;
import io.depthlab.proto.bundle.Tensor;
import io.depthlab.trainer.bundle.BundleException;
import io.depthlab.trainer.bundle.Bundles;
import io.depthlab.trainer.data.Batch;
import io.depthlab.trainer.data.BatchIterator;
import io.depthlab.trainer.data.Batches;
import io.depthlab.trainer.data.ImageSet;
import io.depthlab.trainer.data.Normalization;
import io.depthlab.trainer.inference.Nd4jClassifier;
import io.depthlab.trainer.optim.OptimizerSpec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ModelExportTest {
    private static final Normalization NORMALIZATION =
            Normalization.of(1f / 255f, new float[] {0.3f}, new float[] {0.25f});
    private static final ImageSet TEST = SyntheticData.images(40, 3);
    private static TrainingResult result;
    private static ModelBundle bundle;

    @BeforeAll
    static void train() {
        Trainer trainer =
                Trainer.builder(SyntheticData.mlp())
                        .optimizer(OptimizerSpec.adam(1e-2))
                        .epochs(2)
                        .batchSize(25)
                        .seed(5)
                        .build();
        result =
                trainer.train(
                        SyntheticData.images(200, 1),
                        SyntheticData.images(50, 2),
                        TEST,
                        NORMALIZATION);
        bundle =
                ModelExport.toBundle(
                        result, "7", "synthetic", preprocessing(), List.of("a", "b", "c"));
    }

    @AfterAll
    static void close() {
        result.close();
    }

    @Test
    void toBundle_recordsSpecTensorsAndTraining() {
        assertThat(bundle.getFormatVersion()).isEqualTo(Bundles.FORMAT_VERSION);
        assertThat(bundle.getModelName()).isEqualTo("synthetic-mlp");
        assertThat(bundle.getModelVersion()).isEqualTo("7");
        assertThat(bundle.getNetwork().getLayersCount()).isEqualTo(5);
        assertThat(bundle.getParametersList())
                .extracting(Tensor::getName)
                .containsExactly(
                        "dense_1.weight", "dense_1.bias", "dense_2.weight", "dense_2.bias");
        assertThat(bundle.getParameters(0).getShapeList()).containsExactly(16L, 8L);
        assertThat(bundle.getParameters(0).getValues(9))
                .isEqualTo(result.network().parameters().get(0).value().getFloat(1, 1));
        assertThat(bundle.getClassLabelsList()).containsExactly("a", "b", "c");
        assertThat(bundle.getTraining().getEpochsCount()).isEqualTo(2);
        assertThat(bundle.getTraining().getBestEpoch()).isEqualTo(result.bestEpoch());
        assertThat(bundle.getTraining().getTestAccuracy()).isEqualTo(result.testAccuracy());
        assertThat(bundle.getTraining().getTrainExamples()).isEqualTo(200);
        assertThat(bundle.getTraining().getBatchSize()).isEqualTo(25);
        assertThat(bundle.getTraining().getSeed()).isEqualTo(5);
        assertThat(bundle.getTraining().getOptimizer()).startsWith("adam(lr=0.01");
        assertThat(Instant.parse(bundle.getTraining().getFinishedAt()))
                .isEqualTo(result.finishedAt());
    }

    @Test
    void writeReadLoad_givesTheTrainedNetworksProbabilities(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model" + Bundles.EXTENSION);
        Bundles.write(bundle, file);
        float[] raw = new float[TEST.count() * TEST.exampleSize()];
        byte[] pixels = new byte[raw.length];
        TEST.pixels().get(pixels);
        for (int i = 0; i < raw.length; i++) {
            raw[i] = Byte.toUnsignedInt(pixels[i]);
        }
        float[] expected = trainedProbabilities();

        float[] actual;
        try (Nd4jClassifier classifier = Nd4jClassifier.load(Bundles.read(file))) {
            actual = classifier.predictProbabilities(raw, TEST.count());
        }

        assertThat(actual).hasSize(TEST.count() * 3);
        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i]).as("probability %d", i).isCloseTo(expected[i], within(1e-6f));
        }
    }

    @Test
    void predict_concurrentCallers_getTheSameProbabilities() throws Exception {
        float[] raw = new float[5 * 16];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (i * 37) % 256;
        }
        try (Nd4jClassifier classifier = Nd4jClassifier.load(bundle)) {
            float[] expected = classifier.predictProbabilities(raw, 5);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<float[]>> results = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    results.add(pool.submit(() -> classifier.predictProbabilities(raw, 5)));
                }

                for (Future<float[]> result : results) {
                    assertThat(result.get()).containsExactly(expected);
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void load_missingTensor_throwsNamingIt() {
        ModelBundle missing = bundle.toBuilder().removeParameters(3).build();

        BundleException e = assertThrows(BundleException.class, () -> Nd4jClassifier.load(missing));

        assertThat(e)
                .hasMessage(
                        "model bundle 'synthetic-mlp': tensor 'dense_2.bias' of shape [3] is"
                                + " missing");
    }

    @Test
    void load_negativeRunningVariance_throwsNamingTensorAndIndex() {
        Network spec =
                Network.sequential("bn-mlp")
                        .input(SyntheticData.SIZE * SyntheticData.SIZE)
                        .layer(Dense.units(4))
                        .layer(BatchNorm.create())
                        .layer(Dense.units(3))
                        .layer(SoftmaxOutput.create())
                        .build();
        Trainer trainer = Trainer.builder(spec).epochs(1).batchSize(25).seed(3).build();
        ModelBundle trained;
        try (TrainingResult normed =
                trainer.train(SyntheticData.images(50, 1), TEST, TEST, NORMALIZATION)) {
            trained =
                    ModelExport.toBundle(
                            normed, "1", "synthetic", preprocessing(), List.of("a", "b", "c"));
        }
        int index = 0;
        while (!trained.getParameters(index).getName().endsWith(".running_var")) {
            index++;
        }
        Tensor variance = trained.getParameters(index).toBuilder().setValues(2, -1f).build();
        ModelBundle wrong = trained.toBuilder().setParameters(index, variance).build();

        BundleException e = assertThrows(BundleException.class, () -> Nd4jClassifier.load(wrong));

        assertThat(e)
                .hasMessage(
                        "model bundle 'bn-mlp': tensor '"
                                + variance.getName()
                                + "' holds -1.0 at index 2; expected values >= 0.0");
    }

    @Test
    void load_misShapedTensor_throwsNamingBothShapes() {
        Tensor transposed =
                bundle.getParameters(0).toBuilder().setShape(0, 8).setShape(1, 16).build();
        ModelBundle wrong = bundle.toBuilder().setParameters(0, transposed).build();

        BundleException e = assertThrows(BundleException.class, () -> Nd4jClassifier.load(wrong));

        assertThat(e)
                .hasMessage(
                        "model bundle 'synthetic-mlp': tensor 'dense_1.weight': expected shape"
                                + " [16, 8], found [8, 16]");
    }

    @Test
    void load_extraTensor_throwsNamingIt() {
        Tensor extra = bundle.getParameters(1).toBuilder().setName("dense_9.bias").build();
        ModelBundle wrong = bundle.toBuilder().addParameters(extra).build();

        BundleException e = assertThrows(BundleException.class, () -> Nd4jClassifier.load(wrong));

        assertThat(e).hasMessageContaining("tensors [dense_9.bias] belong to no layer");
    }

    @Test
    void predict_wrongLength_throws() throws Exception {
        try (Nd4jClassifier classifier = Nd4jClassifier.load(bundle)) {

            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> classifier.predictProbabilities(new float[30], 2));

            assertThat(e).hasMessage("raw input: expected 32 values (2 examples of 16), found 30");
        }
    }

    @Test
    void toBundle_wrongLabelCount_throws() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                ModelExport.toBundle(
                                        result, "1", "synthetic", preprocessing(), List.of("a")));

        assertThat(e).hasMessage("class labels: expected 3, one per network output, found 1");
    }

    private static Preprocessing preprocessing() {
        return NORMALIZATION.toProto("synthetic rows", 1, SyntheticData.SIZE, SyntheticData.SIZE);
    }

    /** The trained network's output on the test images, normalised by the data package. */
    private static float[] trainedProbabilities() {
        try (BatchIterator batches =
                Batches.builder(TEST, NORMALIZATION, TEST.count()).prefetch(0).build().epoch(0)) {
            Batch batch = batches.next();
            INDArray x =
                    Nd4j.createFromArray(batch.features())
                            .reshape(batch.size(), TEST.exampleSize());
            INDArray p = result.network().output(x);
            return p.data().asFloat();
        }
    }
}
