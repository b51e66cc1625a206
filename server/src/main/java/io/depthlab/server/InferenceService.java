package io.depthlab.server;

import io.depthlab.proto.inference.GRPCInferenceServiceGrpc;
import io.depthlab.proto.inference.ModelInferRequest;
import io.depthlab.proto.inference.ModelInferResponse;
import io.depthlab.proto.inference.ModelMetadataRequest;
import io.depthlab.proto.inference.ModelMetadataResponse;
import io.depthlab.proto.inference.ModelReadyRequest;
import io.depthlab.proto.inference.ModelReadyResponse;
import io.depthlab.proto.inference.ServerLiveRequest;
import io.depthlab.proto.inference.ServerLiveResponse;
import io.depthlab.proto.inference.ServerMetadataRequest;
import io.depthlab.proto.inference.ServerMetadataResponse;
import io.depthlab.proto.inference.ServerReadyRequest;
import io.depthlab.proto.inference.ServerReadyResponse;
import io.depthlab.trainer.inference.Classifier;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The KServe Open Inference Protocol v2 service ({@code inference.GRPCInferenceService}) for one
 * loaded {@link Classifier}.
 *
 * <p>The model answers to its bundle's {@code model_name}; a request's model version must be empty
 * or the bundle's {@code model_version}, else NOT_FOUND. Its single input {@code "input"} takes
 * FP32 or UINT8 raw values (pixels 0..255; the classifier normalises them) of shape {@code [N,
 * <input_shape>]} or the flat {@code [N, <input size>]}, as typed contents or raw little-endian
 * bytes. ModelInfer answers with the output {@code "probabilities"}, FP32 {@code [N, classes]}, as
 * {@code raw_output_contents} unless the request asks otherwise; the optional output {@code
 * "class"} (BYTES {@code [N]}, the predicted labels) is sent only when requested by name. See
 * {@link OutputSelection} for the output parameters.
 *
 * <p>Lifecycle: the service starts out warming up (ServerReady false, ModelInfer UNAVAILABLE);
 * {@link #warmUp()} runs one inference and makes it ready; {@link #markDraining()} makes the
 * readiness RPCs answer false while calls in progress finish. Thread-safe.
 */
public final class InferenceService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {

    /**
     * The default cap on the values one ModelInfer request may carry: {@value} (64 MiB of FP32),
     * which matches the server's inbound message limit.
     */
    public static final long DEFAULT_MAX_INPUT_ELEMENTS = 16L << 20;

    /** The protocol extensions ServerMetadata advertises. */
    public static final List<String> EXTENSIONS = List.of("classification");

    private static final Logger log = LoggerFactory.getLogger(InferenceService.class);

    private enum State {
        WARMING_UP,
        READY,
        DRAINING
    }

    private final ServedModel model;
    private final InferenceMetrics metrics;
    private final InputDecoder decoder;
    private final ResponseEncoder encoder;

    /** Written by the lifecycle thread, read by call threads; volatile is all it needs. */
    private volatile State state = State.WARMING_UP;

    /** A service refusing requests of more than {@link #DEFAULT_MAX_INPUT_ELEMENTS} values. */
    public InferenceService(Classifier classifier, InferenceMetrics metrics) {
        this(classifier, metrics, DEFAULT_MAX_INPUT_ELEMENTS);
    }

    /**
     * @param classifier the model to serve; the caller keeps ownership and closes it after the
     *     server has stopped
     * @param metrics where predicted examples are counted; the caller also installs its {@link
     *     InferenceMetrics#interceptor()} around this service
     * @param maxInputElements the most raw values one ModelInfer request may carry, at least one
     *     example's worth; larger requests get RESOURCE_EXHAUSTED before any allocation
     * @throws IllegalArgumentException if the classifier's bundle has no model name, or its input
     *     shape or labels disagree with the classifier
     */
    public InferenceService(
            Classifier classifier, InferenceMetrics metrics, long maxInputElements) {
        this.model = new ServedModel(classifier);
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.decoder = new InputDecoder(model, maxInputElements);
        this.encoder = new ResponseEncoder(model);
    }

    /**
     * Runs one inference of an all-zero example, so that the first client does not pay for lazy
     * initialisation, then reports ready. Call once, before clients are told to come.
     *
     * @throws IllegalStateException if the service is already draining
     */
    public void warmUp() {
        if (state == State.DRAINING) {
            throw new IllegalStateException(
                    "expected a service warming up, found one draining: it cannot become ready");
        }
        long startNanos = System.nanoTime();
        model.predict(new float[model.inputSize()], 1);
        state = State.READY;
        log.info(
                "Model '{}' version '{}' warmed up in {} ms",
                model.name(),
                model.version(),
                (System.nanoTime() - startNanos) / 1_000_000);
    }

    /** Makes ServerReady and ModelReady answer false from now on; calls keep being answered. */
    public void markDraining() {
        state = State.DRAINING;
    }

    /** Whether the model is warmed up and the service is not draining. */
    public boolean isReady() {
        return state == State.READY;
    }

    @Override
    public void serverLive(
            ServerLiveRequest request, StreamObserver<ServerLiveResponse> responseObserver) {
        respond(
                "ServerLive",
                responseObserver,
                () -> ServerLiveResponse.newBuilder().setLive(true).build());
    }

    @Override
    public void serverReady(
            ServerReadyRequest request, StreamObserver<ServerReadyResponse> responseObserver) {
        respond(
                "ServerReady",
                responseObserver,
                () -> ServerReadyResponse.newBuilder().setReady(isReady()).build());
    }

    @Override
    public void modelReady(
            ModelReadyRequest request, StreamObserver<ModelReadyResponse> responseObserver) {
        respond(
                "ModelReady",
                responseObserver,
                () -> {
                    model.checkAddressed(request.getName(), request.getVersion());
                    return ModelReadyResponse.newBuilder().setReady(isReady()).build();
                });
    }

    @Override
    public void serverMetadata(
            ServerMetadataRequest request,
            StreamObserver<ServerMetadataResponse> responseObserver) {
        respond(
                "ServerMetadata",
                responseObserver,
                () ->
                        ServerMetadataResponse.newBuilder()
                                .setName(ServerInfo.NAME)
                                .setVersion(ServerInfo.version())
                                .addAllExtensions(EXTENSIONS)
                                .build());
    }

    @Override
    public void modelMetadata(
            ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> responseObserver) {
        respond(
                "ModelMetadata",
                responseObserver,
                () -> {
                    model.checkAddressed(request.getName(), request.getVersion());
                    return model.metadata();
                });
    }

    @Override
    public void modelInfer(
            ModelInferRequest request, StreamObserver<ModelInferResponse> responseObserver) {
        respond("ModelInfer", responseObserver, () -> infer(request));
    }

    private ModelInferResponse infer(ModelInferRequest request) {
        model.checkAddressed(request.getModelName(), request.getModelVersion());
        if (state == State.WARMING_UP) {
            throw InferenceException.unavailable(
                    String.format(
                            "model '%s' is warming up; expected a ready model, retry shortly",
                            model.name()));
        }
        // Outputs first: a request that would be refused anyway should not cost an inference.
        OutputSelection selection = OutputSelection.of(request, model.classCount());
        InputDecoder.Batch batch = decoder.decode(request);
        float[] probabilities = model.predict(batch.values(), batch.batchSize());
        ModelInferResponse response =
                encoder.encode(request, selection, probabilities, batch.batchSize());
        metrics.examplesPredicted(batch.batchSize());
        log.debug("ModelInfer answered a batch of {}", batch.batchSize());
        return response;
    }

    /** Answers a unary call, turning any exception into a status in {@link StatusMapping}. */
    private static <T> void respond(
            String method, StreamObserver<T> responseObserver, Supplier<T> answer) {
        T response;
        try {
            response = answer.get();
        } catch (RuntimeException e) {
            responseObserver.onError(StatusMapping.toStatusException(e, method));
            return;
        }
        responseObserver.onNext(response);
        responseObserver.onCompleted();
    }
}
