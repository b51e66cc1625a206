package io.depthlab.server;

import static io.depthlab.server.Requests.pixels;
import static io.depthlab.server.Requests.unsigned;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The blocking client against an in-process server. */
class InferenceClientTest {

    private static final int SIZE = LinearSoftmaxClassifier.INPUT_SIZE;
    private static final int CLASSES = LinearSoftmaxClassifier.LABELS.size();

    private InProcessServing serving;
    private InferenceClient client;

    @BeforeEach
    void connect() {
        serving = InProcessServing.start();
        client = new InferenceClient(serving.channel);
    }

    @AfterEach
    void disconnect() {
        client.close();
        serving.close();
    }

    /** The rows the classifier gives directly, for comparison. */
    private float[][] direct(float[] raw, int batchSize) {
        float[] flat = serving.classifier.predictProbabilities(raw, batchSize);
        float[][] rows = new float[batchSize][CLASSES];
        for (int example = 0; example < batchSize; example++) {
            System.arraycopy(flat, example * CLASSES, rows[example], 0, CLASSES);
        }
        return rows;
    }

    @Test
    void classify_uint8BatchOfFive_matchesClassifier() {
        byte[] pixels = pixels(5 * SIZE, 21);

        float[][] probabilities = client.classify(LinearSoftmaxClassifier.NAME, pixels, 5);

        assertThat(probabilities).isDeepEqualTo(direct(unsigned(pixels), 5));
    }

    @Test
    void classify_fp32BatchOfOne_matchesClassifier() {
        float[] raw = unsigned(pixels(SIZE, 22));

        float[][] probabilities = client.classify(LinearSoftmaxClassifier.NAME, raw, 1);

        assertThat(probabilities).isDeepEqualTo(direct(raw, 1));
    }

    @Test
    void topClasses_threeOfOneExample_rankedByProbabilityWithLabels() {
        byte[] pixels = pixels(SIZE, 24);
        float[] expected = direct(unsigned(pixels), 1)[0];

        List<InferenceClient.RankedClass> top =
                client.topClasses(LinearSoftmaxClassifier.NAME, pixels, 3);

        assertThat(top).hasSize(3);
        for (InferenceClient.RankedClass ranked : top) {
            assertThat(ranked.label())
                    .isEqualTo(LinearSoftmaxClassifier.LABELS.get(ranked.index()));
            assertThat(ranked.probability()).isCloseTo(expected[ranked.index()], within(1e-6));
        }
        assertThat(top.get(0).probability()).isGreaterThanOrEqualTo(top.get(1).probability());
        assertThat(top.get(1).probability()).isGreaterThanOrEqualTo(top.get(2).probability());
        assertThat(top.get(0).index()).isEqualTo(argmax(expected));
    }

    @Test
    void topClasses_zero_throws() {
        assertThatThrownBy(() -> client.topClasses(LinearSoftmaxClassifier.NAME, new byte[SIZE], 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected k of at least 1, found 0");
    }

    private static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            best = values[i] > values[best] ? i : best;
        }
        return best;
    }

    @Test
    void classify_unknownModel_throwsWithServerDescription() {
        InferenceClientException e =
                catchThrowableOfType(
                        InferenceClientException.class,
                        () -> client.classify("nope", pixels(SIZE, 23), 1));

        assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(e).hasMessage("unknown model 'nope': this server serves only 'tiny-linear'");
    }

    @Test
    void classify_batchSizeNotDividingValues_throws() {
        assertThatThrownBy(() -> client.classify(LinearSoftmaxClassifier.NAME, new byte[10], 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "expected a batch size of at least 1 that divides the 10 values, found 3");
    }

    @Test
    void modelMetadata_servedModel_describesIt() {
        assertThat(client.modelMetadata(LinearSoftmaxClassifier.NAME).getInputs(0).getShapeList())
                .containsExactly(-1L, 1L, 4L, 4L);
    }

    @Test
    void serverMetadata_always_namesDepthlab() {
        assertThat(client.serverMetadata().getName()).isEqualTo("depthlab");
    }

    @Test
    void waitUntilReady_readyServer_isTrue() {
        assertThat(client.waitUntilReady(Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void waitUntilReady_serverNeverWarmedUp_isFalseAfterTimeout() throws Exception {
        InferenceService cold =
                new InferenceService(
                        LinearSoftmaxClassifier.standard(),
                        new InferenceMetrics(new SimpleMeterRegistry(), "tiny-linear", "3"));
        String name = InProcessServerBuilder.generateName();
        Server server = InProcessServerBuilder.forName(name).addService(cold).build().start();
        ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
        try (InferenceClient coldClient = new InferenceClient(channel)) {
            long startNanos = System.nanoTime();

            boolean ready = coldClient.waitUntilReady(Duration.ofMillis(300));

            assertThat(ready).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - startNanos))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(300));
        } finally {
            server.shutdownNow();
        }
    }

    @Test
    void waitUntilReady_noServerListening_isFalseAfterTimeout() {
        ManagedChannel nowhere =
                InProcessChannelBuilder.forName(InProcessServerBuilder.generateName()).build();
        try (InferenceClient lost = new InferenceClient(nowhere)) {
            assertThat(lost.waitUntilReady(Duration.ofMillis(200))).isFalse();
        }
    }
}
