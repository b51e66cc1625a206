package io.depthlab.server;

import static io.depthlab.server.Requests.assertRefused;
import static io.depthlab.server.Requests.pixels;
import static io.depthlab.server.Requests.uint8Raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.depthlab.proto.inference.GRPCInferenceServiceGrpc;
import io.depthlab.proto.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.depthlab.proto.inference.ModelMetadataRequest;
import io.depthlab.proto.inference.ModelMetadataResponse;
import io.depthlab.proto.inference.ModelMetadataResponse.TensorMetadata;
import io.depthlab.proto.inference.ModelReadyRequest;
import io.depthlab.proto.inference.ServerLiveRequest;
import io.depthlab.proto.inference.ServerMetadataRequest;
import io.depthlab.proto.inference.ServerMetadataResponse;
import io.depthlab.proto.inference.ServerReadyRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status.Code;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The service on its own (no {@link ModelServer}), so that its states can be driven by hand:
 * warming up, ready, draining. Covers every RPC but ModelInfer's request checks.
 */
class InferenceServiceTest {

    private final LinearSoftmaxClassifier classifier = LinearSoftmaxClassifier.standard();
    private InferenceService service;
    private Server server;
    private ManagedChannel channel;
    private GRPCInferenceServiceBlockingStub stub;

    @BeforeEach
    void startService() throws IOException {
        service = newService(classifier, InferenceService.DEFAULT_MAX_INPUT_ELEMENTS);
        String name = InProcessServerBuilder.generateName();
        server =
                InProcessServerBuilder.forName(name)
                        .directExecutor()
                        .addService(service)
                        .build()
                        .start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void stopService() {
        channel.shutdownNow();
        server.shutdownNow();
    }

    private static InferenceService newService(
            LinearSoftmaxClassifier classifier, long maxInputElements) {
        InferenceMetrics metrics =
                new InferenceMetrics(
                        new SimpleMeterRegistry(),
                        LinearSoftmaxClassifier.NAME,
                        LinearSoftmaxClassifier.VERSION);
        return new InferenceService(classifier, metrics, maxInputElements);
    }

    private boolean modelReady(String name, String version) {
        return stub.modelReady(
                        ModelReadyRequest.newBuilder().setName(name).setVersion(version).build())
                .getReady();
    }

    private boolean serverReady() {
        return stub.serverReady(ServerReadyRequest.getDefaultInstance()).getReady();
    }

    @Test
    void serverLive_whileWarmingUp_isTrue() {
        assertThat(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
    }

    @Test
    void serverReady_beforeWarmUp_isFalse() {
        assertThat(serverReady()).isFalse();
        assertThat(modelReady(LinearSoftmaxClassifier.NAME, "")).isFalse();
    }

    @Test
    void serverReady_afterWarmUp_isTrueAndWarmUpRanOneInference() {
        service.warmUp();

        assertThat(serverReady()).isTrue();
        assertThat(modelReady(LinearSoftmaxClassifier.NAME, "")).isTrue();
        assertThat(modelReady(LinearSoftmaxClassifier.NAME, LinearSoftmaxClassifier.VERSION))
                .isTrue();
        assertThat(classifier.batches()).isEqualTo(1);
    }

    @Test
    void serverReady_whileDraining_isFalseButInferStillAnswers() {
        service.warmUp();

        service.markDraining();

        assertThat(serverReady()).isFalse();
        assertThat(modelReady(LinearSoftmaxClassifier.NAME, "")).isFalse();
        assertThat(stub.modelInfer(uint8Raw(pixels(16, 1), 1, 16)).getOutputsCount()).isEqualTo(1);
    }

    @Test
    void warmUp_whileDraining_throws() {
        service.markDraining();

        assertThatThrownBy(service::warmUp)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("draining");
    }

    @Test
    void modelInfer_beforeWarmUp_isUnavailable() {
        assertRefused(
                () -> stub.modelInfer(uint8Raw(pixels(16, 2), 1, 16)),
                Code.UNAVAILABLE,
                "model 'tiny-linear' is warming up; expected a ready model, retry shortly");
    }

    @Test
    void modelInfer_batchBeyondConfiguredLimit_isResourceExhausted() throws IOException {
        // A limit of two examples, on a second service: three examples must be refused.
        InferenceService small = newService(classifier, 32);
        small.warmUp();
        String name = InProcessServerBuilder.generateName();
        Server smallServer =
                InProcessServerBuilder.forName(name)
                        .directExecutor()
                        .addService(small)
                        .build()
                        .start();
        ManagedChannel smallChannel =
                InProcessChannelBuilder.forName(name).directExecutor().build();
        try {
            GRPCInferenceServiceBlockingStub smallStub =
                    GRPCInferenceServiceGrpc.newBlockingStub(smallChannel);

            assertThat(smallStub.modelInfer(uint8Raw(pixels(32, 3), 2, 16)).getOutputsCount())
                    .isEqualTo(1);
            assertRefused(
                    () -> smallStub.modelInfer(uint8Raw(pixels(48, 3), 3, 16)),
                    Code.RESOURCE_EXHAUSTED,
                    "input 'input': shape [3, 16] holds more than the 32 values one request may"
                            + " carry; expected a batch of at most 2 examples");
        } finally {
            smallChannel.shutdownNow();
            smallServer.shutdownNow();
        }
    }

    @Test
    void modelReady_unknownModel_isNotFound() {
        assertRefused(
                () -> modelReady("other", ""),
                Code.NOT_FOUND,
                "unknown model 'other': this server serves only 'tiny-linear'");
    }

    @Test
    void modelReady_unknownVersion_isNotFound() {
        assertRefused(
                () -> modelReady(LinearSoftmaxClassifier.NAME, "2"),
                Code.NOT_FOUND,
                "model 'tiny-linear' has no version '2': expected '3' or an empty version");
    }

    @Test
    void serverMetadata_always_namesServerVersionAndExtensions() {
        ServerMetadataResponse metadata =
                stub.serverMetadata(ServerMetadataRequest.getDefaultInstance());

        assertThat(metadata.getName()).isEqualTo("depthlab");
        // Filled in by Maven from the project version; an unfiltered file would leave "${".
        assertThat(metadata.getVersion()).matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(metadata.getExtensionsList()).containsExactly("classification");
    }

    @Test
    void modelMetadata_servedModel_describesTensors() {
        ModelMetadataResponse metadata =
                stub.modelMetadata(
                        ModelMetadataRequest.newBuilder()
                                .setName(LinearSoftmaxClassifier.NAME)
                                .build());

        assertThat(metadata.getName()).isEqualTo("tiny-linear");
        assertThat(metadata.getVersionsList()).containsExactly("3");
        assertThat(metadata.getPlatform()).isEqualTo("depthlab_nd4j");
        assertThat(metadata.getInputsList())
                .containsExactly(tensor("input", "FP32", List.of(-1L, 1L, 4L, 4L)));
        assertThat(metadata.getOutputsList())
                .containsExactly(tensor("probabilities", "FP32", List.of(-1L, 5L)));
    }

    @Test
    void modelMetadata_unknownVersion_isNotFound() {
        ModelMetadataRequest request =
                ModelMetadataRequest.newBuilder()
                        .setName(LinearSoftmaxClassifier.NAME)
                        .setVersion("latest")
                        .build();

        assertRefused(
                () -> stub.modelMetadata(request),
                Code.NOT_FOUND,
                "model 'tiny-linear' has no version 'latest': expected '3' or an empty version");
    }

    @Test
    void construct_bundleWithoutName_throws() {
        LinearSoftmaxClassifier unnamed =
                new LinearSoftmaxClassifier(
                        LinearSoftmaxClassifier.bundle(
                                "", "1", List.of(16L), LinearSoftmaxClassifier.LABELS));

        assertThatThrownBy(() -> newService(unnamed, 1000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "expected a model bundle with a model_name to serve it under, found none");
    }

    @Test
    void construct_limitBelowOneExample_throws() {
        assertThatThrownBy(() -> newService(classifier, 15))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "expected a maximum from 16 input values (one example) to 2147483639 (the"
                                + " longest Java array), found 15");
    }

    @Test
    void construct_limitBeyondLongestArray_throws() {
        assertThatThrownBy(() -> newService(classifier, 1L << 31))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("found 2147483648");
    }

    private static TensorMetadata tensor(String name, String datatype, List<Long> shape) {
        return TensorMetadata.newBuilder()
                .setName(name)
                .setDatatype(datatype)
                .addAllShape(shape)
                .build();
    }
}
