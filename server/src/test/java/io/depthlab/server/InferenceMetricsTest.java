package io.depthlab.server;

import static io.depthlab.server.Requests.pixels;
import static io.depthlab.server.Requests.uint8Raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.depthlab.proto.inference.ModelInferRequest;
import io.depthlab.proto.inference.ServerLiveRequest;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

/** Request metrics, read from a SimpleMeterRegistry and from the Prometheus scrape text. */
class InferenceMetricsTest {

    private static final int SIZE = LinearSoftmaxClassifier.INPUT_SIZE;

    /** Two good ModelInfer calls (batches of 1 and 5), one for an unknown model, one ServerLive. */
    private static void callMix(InProcessServing serving) {
        serving.stub().modelInfer(uint8Raw(pixels(SIZE, 1), 1, SIZE));
        serving.stub().modelInfer(uint8Raw(pixels(5 * SIZE, 2), 5, SIZE));
        ModelInferRequest unknown =
                uint8Raw(pixels(SIZE, 3), 1, SIZE).toBuilder().setModelName("nope").build();
        assertThat(catchThrowable(() -> serving.stub().modelInfer(unknown))).isNotNull();
        serving.stub().serverLive(ServerLiveRequest.getDefaultInstance());
    }

    @Test
    void requests_mixOfOutcomes_countedByMethodAndStatus() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (InProcessServing serving =
                InProcessServing.start(LinearSoftmaxClassifier.standard(), registry)) {
            callMix(serving);

            assertThat(timer(registry, "ModelInfer", "OK").count()).isEqualTo(2);
            assertThat(timer(registry, "ModelInfer", "NOT_FOUND").count()).isEqualTo(1);
            assertThat(timer(registry, "ServerLive", "OK").count()).isEqualTo(1);
            assertThat(registry.get(InferenceMetrics.EXAMPLES).counter().count()).isEqualTo(6);
            assertThat(registry.get(InferenceMetrics.IN_FLIGHT).gauge().value()).isZero();
        }
    }

    @Test
    void requests_beforeAnyCall_okSeriesExistAtZero() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (InProcessServing serving =
                InProcessServing.start(LinearSoftmaxClassifier.standard(), registry)) {
            for (String method :
                    new String[] {
                        "ServerLive",
                        "ServerReady",
                        "ModelReady",
                        "ServerMetadata",
                        "ModelMetadata",
                        "ModelInfer"
                    }) {
                // The warm-up runs on the classifier directly: it is not a request.
                assertThat(timer(registry, method, "OK").count()).as(method).isZero();
            }
            assertThat(registry.get(InferenceMetrics.EXAMPLES).counter().count()).isZero();
        }
    }

    @Test
    void scrape_afterCalls_showsCountsByStatusAndHistogramBuckets() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (InProcessServing serving =
                InProcessServing.start(LinearSoftmaxClassifier.standard(), registry)) {
            callMix(serving);

            String scrape = registry.scrape();

            assertThat(scrape)
                    .contains(
                            "inference_request_duration_seconds_count{method=\"ModelInfer\","
                                    + "model=\"tiny-linear\",status=\"OK\",version=\"3\"} 2")
                    .contains(
                            "inference_request_duration_seconds_count{method=\"ModelInfer\","
                                    + "model=\"tiny-linear\",status=\"NOT_FOUND\",version=\"3\"} 1")
                    .contains(
                            "inference_request_duration_seconds_bucket{method=\"ModelInfer\","
                                    + "model=\"tiny-linear\",status=\"OK\",version=\"3\","
                                    + "le=\"0.1\"}")
                    .contains(
                            "inference_request_duration_seconds_bucket{method=\"ModelInfer\","
                                    + "model=\"tiny-linear\",status=\"OK\",version=\"3\","
                                    + "le=\"+Inf\"} 2")
                    .contains("inference_examples_total{model=\"tiny-linear\",version=\"3\"} 6")
                    .contains("inference_requests_in_flight{model=\"tiny-linear\",version=\"3\"} 0")
                    .contains("jvm_memory_used_bytes");
            // 14 objectives and +Inf: a scrape stays small however many series there are.
            String okBuckets =
                    "inference_request_duration_seconds_bucket{method=\"ModelInfer\","
                            + "model=\"tiny-linear\",status=\"OK\"";
            assertThat(scrape.lines().filter(line -> line.startsWith(okBuckets)).count())
                    .isEqualTo(15);
        }
    }

    private static Timer timer(SimpleMeterRegistry registry, String method, String status) {
        return registry.get(InferenceMetrics.REQUEST_DURATION)
                .tag("model", LinearSoftmaxClassifier.NAME)
                .tag("version", LinearSoftmaxClassifier.VERSION)
                .tag("method", method)
                .tag("status", status)
                .timer();
    }
}
