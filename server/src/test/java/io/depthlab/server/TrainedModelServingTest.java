package io.depthlab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.depthlab.dsl.family.Mlp;
import io.depthlab.proto.bundle.ModelBundle;
import io.depthlab.trainer.bundle.Bundles;
import io.depthlab.trainer.data.Dataset;
import io.depthlab.trainer.data.Emnist;
import io.depthlab.trainer.data.ImageSet;
import io.depthlab.trainer.data.Normalization;
import io.depthlab.trainer.data.Split;
import io.depthlab.trainer.inference.Nd4jClassifier;
import io.depthlab.trainer.optim.OptimizerSpec;
import io.depthlab.trainer.training.ModelExport;
import io.depthlab.trainer.training.Trainer;
import io.depthlab.trainer.training.TrainingResult;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path of a model: trained by the trainer on real handwriting (the EMNIST sample the
 * repository ships), exported, written, read back, served, and asked over gRPC. The server's
 * probabilities must be the trainer's for the same images.
 */
class TrainedModelServingTest {

    private static final Normalization PIXELS = Normalization.scaleOnly(1f / 255f);

    /** Two ND4J forward passes over the same weights differ by float rounding at most. */
    private static final double TOLERANCE = 1e-6;

    private static final int IMAGES = 16;

    @TempDir Path dir;

    @Test
    void modelInfer_trainedMlp_returnsTheTrainersProbabilities() throws Exception {
        Dataset sample = Emnist.load(sampleFolder());
        ImageSet train = sample.train().subset(IntStream.range(0, 3000).toArray());
        Split split = Split.trainValidation(train, 500, 1);
        ImageSet test = sample.test().subset(IntStream.range(0, IMAGES).toArray());
        Trainer trainer =
                Trainer.builder(Mlp.emnist().dropRate(0.2).l2(1e-4).build())
                        .optimizer(OptimizerSpec.adam())
                        .epochs(1)
                        .batchSize(100)
                        .seed(3)
                        .build();

        try (TrainingResult result =
                trainer.train(split.train(), split.validation(), test, PIXELS)) {
            float[] expected = trainerProbabilities(result, test);
            Path file = dir.resolve("model.dlb");
            Bundles.write(bundle(result, sample), file);
            float[][] served = serve(Bundles.read(file), pixels(test));

            for (int i = 0; i < IMAGES; i++) {
                for (int c = 0; c < Mlp.CLASSES; c++) {
                    assertThat((double) served[i][c])
                            .as("image %d class %d", i, c)
                            .isCloseTo(expected[i * Mlp.CLASSES + c], within(TOLERANCE));
                }
            }
        }
    }

    private static float[] trainerProbabilities(TrainingResult result, ImageSet test) {
        float[] features = new float[IMAGES * test.exampleSize()];
        byte[] pixels = pixels(test);
        for (int i = 0; i < features.length; i++) {
            features[i] = PIXELS.apply(pixels[i] & 0xff, 0);
        }
        return result.network().predict(features, IMAGES);
    }

    private static ModelBundle bundle(TrainingResult result, Dataset sample) {
        return ModelExport.toBundle(
                result,
                "1",
                sample.name(),
                PIXELS.toProto(sample.layout(), 28, 28),
                sample.train().classNames());
    }

    private static float[][] serve(ModelBundle bundle, byte[] pixels) throws Exception {
        String name = InProcessServerBuilder.generateName();
        try (Nd4jClassifier classifier = Nd4jClassifier.load(bundle);
                ModelServer server =
                        new ModelServer(
                                        InProcessServerBuilder.forName(name),
                                        classifier,
                                        new SimpleMeterRegistry())
                                .start()) {
            ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
            try (InferenceClient client = new InferenceClient(channel)) {
                return client.classify(bundle.getModelName(), pixels, IMAGES);
            }
        }
    }

    private static byte[] pixels(ImageSet set) {
        byte[] pixels = new byte[IMAGES * set.exampleSize()];
        for (int i = 0; i < IMAGES; i++) {
            System.arraycopy(set.example(i), 0, pixels, i * set.exampleSize(), set.exampleSize());
        }
        return pixels;
    }

    private static Path sampleFolder() {
        return Path.of(System.getProperty("depthlab.home", "..")).resolve("data/emnist-sample");
    }
}
