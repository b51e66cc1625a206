package io.depthlab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The server's lifecycle, health and reflection services, in process and on loopback TCP. */
class ModelServerTest {

    private static final String INFERENCE_SERVICE = "inference.GRPCInferenceService";

    private static ServingStatus health(InProcessServing serving, String service) {
        return HealthGrpc.newBlockingStub(serving.channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService(service).build())
                .getStatus();
    }

    @Test
    void start_always_warmsUpBeforeReportingServing() {
        try (InProcessServing serving = InProcessServing.start()) {
            assertThat(serving.classifier.batches()).isEqualTo(1);
            assertThat(serving.server.isReady()).isTrue();
            assertThat(health(serving, "")).isEqualTo(ServingStatus.SERVING);
            assertThat(health(serving, INFERENCE_SERVICE)).isEqualTo(ServingStatus.SERVING);
        }
    }

    @Test
    void start_twice_startsOnce() throws IOException {
        try (InProcessServing serving = InProcessServing.start()) {
            ModelServer again = serving.server.start();

            assertThat(again).isSameAs(serving.server);
            assertThat(serving.classifier.batches()).isEqualTo(1);
        }
    }

    @Test
    void close_withHealthWatcher_reportsNotServing() throws Exception {
        InProcessServing serving = InProcessServing.start();
        BlockingQueue<ServingStatus> statuses = new LinkedBlockingQueue<>();
        HealthGrpc.newStub(serving.channel)
                .watch(HealthCheckRequest.newBuilder().setService("").build(), watcher(statuses));
        assertThat(statuses.poll(10, TimeUnit.SECONDS)).isEqualTo(ServingStatus.SERVING);

        serving.server.close();

        assertThat(statuses.poll(10, TimeUnit.SECONDS)).isEqualTo(ServingStatus.NOT_SERVING);
        assertThat(serving.server.isReady()).isFalse();
        serving.close();
    }

    /** Collects statuses and cancels the watch at NOT_SERVING, so that close need not wait. */
    private static ClientResponseObserver<HealthCheckRequest, HealthCheckResponse> watcher(
            BlockingQueue<ServingStatus> statuses) {
        return new ClientResponseObserver<>() {
            private ClientCallStreamObserver<HealthCheckRequest> call;

            @Override
            public void beforeStart(ClientCallStreamObserver<HealthCheckRequest> call) {
                this.call = call;
            }

            @Override
            public void onNext(HealthCheckResponse response) {
                statuses.add(response.getStatus());
                if (response.getStatus() == ServingStatus.NOT_SERVING) {
                    call.cancel("seen NOT_SERVING", null);
                }
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
        };
    }

    @Test
    void close_twice_isHarmless() {
        InProcessServing serving = InProcessServing.start();

        serving.close();
        serving.server.close();

        assertThat(serving.server.port()).isEqualTo(-1);
    }

    @Test
    void start_afterClose_throws() {
        InProcessServing serving = InProcessServing.start();
        serving.close();

        assertThatThrownBy(serving.server::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(
                        "expected a new server, found a closed one: servers cannot be restarted");
    }

    @Test
    void close_beforeStart_isHarmless() {
        ModelServer server =
                new ModelServer(
                        InProcessServerBuilder.forName(InProcessServerBuilder.generateName()),
                        LinearSoftmaxClassifier.standard(),
                        new SimpleMeterRegistry());

        server.close();

        assertThat(server.isReady()).isFalse();
        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
        assertTimeoutPreemptively(Duration.ofSeconds(5), server::awaitTermination);
    }

    @Test
    void awaitTermination_otherThreadCloses_returns() throws Exception {
        InProcessServing serving = InProcessServing.start();
        CompletableFuture<Void> waiting =
                CompletableFuture.runAsync(
                        () -> {
                            try {
                                serving.server.awaitTermination();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });
        assertThat(waiting).isNotDone();

        serving.close();

        waiting.get(5, TimeUnit.SECONDS);
    }

    @Test
    void start_failingWarmUp_throwsAndLeavesServerClosed() {
        LinearSoftmaxClassifier broken = LinearSoftmaxClassifier.standard();
        broken.failWith(new IllegalStateException("native library missing"));
        ModelServer server =
                new ModelServer(
                        InProcessServerBuilder.forName(InProcessServerBuilder.generateName()),
                        broken,
                        new SimpleMeterRegistry(),
                        Duration.ZERO);

        assertThatThrownBy(server::start).hasMessage("native library missing");

        assertThat(server.isReady()).isFalse();
        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void reflection_listServices_includesInferenceHealthAndReflection() throws Exception {
        try (InProcessServing serving = InProcessServing.start()) {
            CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
            StreamObserver<ServerReflectionRequest> requests =
                    ServerReflectionGrpc.newStub(serving.channel)
                            .serverReflectionInfo(completing(answer));

            requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
            requests.onCompleted();

            List<String> services =
                    answer
                            .get(10, TimeUnit.SECONDS)
                            .getListServicesResponse()
                            .getServiceList()
                            .stream()
                            .map(ServiceResponse::getName)
                            .toList();
            assertThat(services)
                    .contains(
                            INFERENCE_SERVICE,
                            "grpc.health.v1.Health",
                            "grpc.reflection.v1.ServerReflection");
        }
    }

    private static <T> StreamObserver<T> completing(CompletableFuture<T> answer) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                answer.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                answer.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {}
        };
    }

    @Test
    void startOnLoopback_portZero_bindsFreePortAndAcceptsMessagesOverFourMebibytes()
            throws IOException {
        LinearSoftmaxClassifier classifier = LinearSoftmaxClassifier.standard();
        ModelServer server = ModelServer.startOnLoopback(0, classifier, new SimpleMeterRegistry());
        try (InferenceClient client = InferenceClient.connect("127.0.0.1", server.port())) {
            // 5 MiB of UINT8 pixels: over grpc-java's default 4 MiB inbound limit.
            int batchSize = 5 * 1024 * 1024 / LinearSoftmaxClassifier.INPUT_SIZE;
            byte[] pixels = Requests.pixels(batchSize * LinearSoftmaxClassifier.INPUT_SIZE, 9);

            float[][] probabilities =
                    client.classify(LinearSoftmaxClassifier.NAME, pixels, batchSize);

            assertThat(server.port()).isPositive();
            assertThat(probabilities).hasNumberOfRows(batchSize);
        } finally {
            server.close();
        }
    }
}
