package io.depthlab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.depthlab.dsl.Dense;
import io.depthlab.dsl.Network;
import io.depthlab.dsl.NetworkProtos;
import io.depthlab.dsl.SoftmaxOutput;
import io.depthlab.proto.bundle.ModelBundle;
import io.depthlab.proto.bundle.Preprocessing;
import io.depthlab.proto.bundle.Tensor;
import io.depthlab.trainer.bundle.BundleException;
import io.depthlab.trainer.inference.Nd4jClassifier;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real ND4J classifier behind the server: probabilities through gRPC must equal those of
 * calling the classifier directly. The bundle is built by hand: a 784 -> 47 dense layer with seeded
 * random weights and a softmax, shaped like the EMNIST model.
 */
class Nd4jServingTest {

    private static final int PIXELS = 784;
    private static final int CLASSES = 47;
    private static final String MODEL = "emnist-linear";

    /**
     * Same network, same batch: the only differences allowed are float rounding between two ND4J
     * calls, far below any probability that matters.
     */
    private static final float TOLERANCE = 1e-6f;

    private static Nd4jClassifier classifier;
    private static ModelServer server;
    private static ManagedChannel channel;
    private static InferenceClient client;

    @BeforeAll
    static void serveBundle() throws BundleException, IOException {
        classifier = Nd4jClassifier.load(bundle(7));
        String name = InProcessServerBuilder.generateName();
        server =
                new ModelServer(
                                InProcessServerBuilder.forName(name),
                                classifier,
                                new SimpleMeterRegistry())
                        .start();
        channel = InProcessChannelBuilder.forName(name).build();
        client = new InferenceClient(channel);
    }

    @AfterAll
    static void stopServing() {
        client.close();
        server.close();
        classifier.close();
    }

    static ModelBundle bundle(long seed) {
        Network network =
                Network.sequential(MODEL)
                        .input(PIXELS)
                        .layer(Dense.units(CLASSES).name("dense"))
                        .layer(SoftmaxOutput.create())
                        .build();
        Random random = new Random(seed);
        List<String> labels = new ArrayList<>();
        for (int c = 0; c < CLASSES; c++) {
            labels.add("class-" + c);
        }
        return ModelBundle.newBuilder()
                .setFormatVersion(1)
                .setModelName(MODEL)
                .setModelVersion("1")
                .setNetwork(NetworkProtos.toProto(network))
                .addParameters(
                        gaussian("dense.weight", List.of((long) PIXELS, (long) CLASSES), random))
                .addParameters(gaussian("dense.bias", List.of((long) CLASSES), random))
                .setPreprocessing(
                        Preprocessing.newBuilder()
                                .addAllInputShape(List.of(1L, 28L, 28L))
                                .setScale(1f / 255f)
                                .addMean(0.17f)
                                .addStd(0.33f))
                .addAllClassLabels(labels)
                .build();
    }

    private static Tensor gaussian(String name, List<Long> shape, Random random) {
        Tensor.Builder tensor = Tensor.newBuilder().setName(name).addAllShape(shape);
        long count = shape.stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b);
        for (long i = 0; i < count; i++) {
            tensor.addValues((float) (random.nextGaussian() * 0.05));
        }
        return tensor.build();
    }

    @Test
    void classify_uint8BatchOfFive_matchesDirectPrediction() {
        byte[] pixels = Requests.pixels(5 * PIXELS, 31);

        float[][] served = client.classify(MODEL, pixels, 5);

        float[] direct = classifier.predictProbabilities(Requests.unsigned(pixels), 5);
        assertThat(served).hasNumberOfRows(5);
        for (int example = 0; example < 5; example++) {
            for (int c = 0; c < CLASSES; c++) {
                assertThat(served[example][c])
                        .as("example %d class %d", example, c)
                        .isCloseTo(direct[example * CLASSES + c], within(TOLERANCE));
            }
        }
    }

    @Test
    void classify_fp32BatchOfOne_matchesDirectPredictionAndSumsToOne() {
        float[] raw = Requests.unsigned(Requests.pixels(PIXELS, 32));

        float[][] served = client.classify(MODEL, raw, 1);

        float[] direct = classifier.predictProbabilities(raw, 1);
        float sum = 0;
        for (int c = 0; c < CLASSES; c++) {
            assertThat(served[0][c]).isCloseTo(direct[c], within(TOLERANCE));
            sum += served[0][c];
        }
        assertThat(sum).isCloseTo(1f, within(1e-5f));
    }

    @Test
    void modelMetadata_nd4jBundle_describesImageInputAndClasses() {
        assertThat(client.modelMetadata(MODEL).getInputs(0).getShapeList())
                .containsExactly(-1L, 1L, 28L, 28L);
        assertThat(client.modelMetadata(MODEL).getOutputs(0).getShapeList())
                .containsExactly(-1L, (long) CLASSES);
        assertThat(server.isReady()).isTrue();
    }
}
