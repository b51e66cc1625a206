package io.depthlab.server;

import com.google.protobuf.ByteString;
import io.depthlab.proto.inference.GRPCInferenceServiceGrpc;
import io.depthlab.proto.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.depthlab.proto.inference.InferParameter;
import io.depthlab.proto.inference.ModelInferRequest;
import io.depthlab.proto.inference.ModelInferRequest.InferInputTensor;
import io.depthlab.proto.inference.ModelInferRequest.InferRequestedOutputTensor;
import io.depthlab.proto.inference.ModelInferResponse;
import io.depthlab.proto.inference.ModelMetadataRequest;
import io.depthlab.proto.inference.ModelMetadataResponse;
import io.depthlab.proto.inference.ServerMetadataRequest;
import io.depthlab.proto.inference.ServerMetadataResponse;
import io.depthlab.proto.inference.ServerReadyRequest;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A blocking client of a depthlab (or any Open Inference Protocol v2) gRPC server.
 *
 * <p>{@code classify} sends a batch as one flat input {@code "input"} of shape {@code [N, values
 * per example]} in {@code raw_input_contents}, and returns the {@code "probabilities"} output.
 * Every call has a deadline of the call timeout. A failed call throws {@link
 * InferenceClientException} whose message is the server's status description.
 *
 * <p>The client owns its channel: {@link #close()} shuts it down. Thread-safe.
 */
public final class InferenceClient implements AutoCloseable {

    /** The deadline of each call by default: 30 seconds. */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);

    /** How long {@link #waitUntilReady} waits between two ServerReady calls. */
    private static final Duration READY_POLL_INTERVAL = Duration.ofMillis(100);

    private static final String INPUT = "input";
    private static final String PROBABILITIES = "probabilities";

    private final ManagedChannel channel;
    private final GRPCInferenceServiceBlockingStub stub;
    private final Duration callTimeout;

    /**
     * @param channel the channel to use; the client takes ownership of it
     * @param callTimeout the deadline of each call, positive
     */
    public InferenceClient(ManagedChannel channel, Duration callTimeout) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.callTimeout = Objects.requireNonNull(callTimeout, "callTimeout");
        if (callTimeout.isZero() || callTimeout.isNegative()) {
            throw new IllegalArgumentException(
                    "expected a positive call timeout, found " + callTimeout);
        }
        this.stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
    }

    /** A client over {@code channel} with {@link #DEFAULT_CALL_TIMEOUT}. */
    public InferenceClient(ManagedChannel channel) {
        this(channel, DEFAULT_CALL_TIMEOUT);
    }

    /**
     * A client of the server at {@code host:port} over plaintext (no TLS), with {@link
     * #DEFAULT_CALL_TIMEOUT}. Connects lazily, on the first call.
     */
    public static InferenceClient connect(String host, int port) {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("expected a port from 1 to 65535, found " + port);
        }
        ManagedChannel channel =
                Grpc.newChannelBuilderForAddress(host, port, InsecureChannelCredentials.create())
                        .maxInboundMessageSize(ModelServer.MAX_INBOUND_MESSAGE_BYTES)
                        .build();
        return new InferenceClient(channel);
    }

    /**
     * Asks ServerReady until it answers true or {@code timeout} passes, riding out a server that is
     * still starting, unreachable or warming up.
     *
     * @return true if the server is ready; false on timeout or if the thread was interrupted (its
     *     interrupt flag is then set again)
     */
    public boolean waitUntilReady(Duration timeout) {
        long deadlineNanos = System.nanoTime() + timeout.toNanos();
        while (true) {
            long remainingNanos = deadlineNanos - System.nanoTime();
            if (remainingNanos <= 0) {
                return false;
            }
            try {
                boolean ready =
                        stub.withWaitForReady()
                                .withDeadlineAfter(remainingNanos, TimeUnit.NANOSECONDS)
                                .serverReady(ServerReadyRequest.getDefaultInstance())
                                .getReady();
                if (ready) {
                    return true;
                }
            } catch (StatusRuntimeException e) {
                // Not up yet, or the deadline passed: the loop decides whether to try again.
            }
            long pauseNanos =
                    Math.min(READY_POLL_INTERVAL.toNanos(), deadlineNanos - System.nanoTime());
            try {
                TimeUnit.NANOSECONDS.sleep(pauseNanos);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** The server's name, version and protocol extensions. */
    public ServerMetadataResponse serverMetadata() {
        return call(() -> stub().serverMetadata(ServerMetadataRequest.getDefaultInstance()));
    }

    /** The metadata of model {@code modelName}: versions, platform, input and output tensors. */
    public ModelMetadataResponse modelMetadata(String modelName) {
        ModelMetadataRequest request =
                ModelMetadataRequest.newBuilder()
                        .setName(Objects.requireNonNull(modelName, "modelName"))
                        .build();
        return call(() -> stub().modelMetadata(request));
    }

    /**
     * Class probabilities for a batch of 8-bit raw values (pixels 0..255), sent as UINT8.
     *
     * @param pixels {@code batchSize} examples, one after the other
     * @param batchSize the number of examples, at least 1, dividing {@code pixels.length}
     * @return one row of class probabilities per example
     */
    public float[][] classify(String modelName, byte[] pixels, int batchSize) {
        int perExample = valuesPerExample(pixels.length, batchSize);
        return infer(modelName, Datatype.UINT8, ByteString.copyFrom(pixels), batchSize, perExample);
    }

    /**
     * Class probabilities for a batch of raw float values (e.g. pixels 0..255), sent as FP32.
     *
     * @param values {@code batchSize} examples, one after the other
     * @param batchSize the number of examples, at least 1, dividing {@code values.length}
     * @return one row of class probabilities per example
     */
    public float[][] classify(String modelName, float[] values, int batchSize) {
        int perExample = valuesPerExample(values.length, batchSize);
        ByteBuffer bytes =
                ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return infer(
                modelName,
                Datatype.FP32,
                ByteString.copyFrom(bytes.array()),
                batchSize,
                perExample);
    }

    /**
     * One of the most probable classes of an example, as the classification extension reports it.
     *
     * @param index the class index
     * @param label the class label, e.g. the character an EMNIST class stands for
     * @param probability in [0, 1]
     */
    public record RankedClass(int index, String label, double probability) {}

    /**
     * The {@code k} most probable classes of one example of 8-bit raw values, most probable first,
     * through the server's classification extension (so the labels come from the served model).
     *
     * @param k at least 1, at most the model's class count
     */
    public List<RankedClass> topClasses(String modelName, byte[] pixels, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("expected k of at least 1, found " + k);
        }
        InferRequestedOutputTensor output =
                InferRequestedOutputTensor.newBuilder()
                        .setName(PROBABILITIES)
                        .putParameters(
                                "classification",
                                InferParameter.newBuilder().setInt64Param(k).build())
                        .putParameters(
                                "binary_data",
                                InferParameter.newBuilder().setBoolParam(false).build())
                        .build();
        ModelInferRequest request =
                request(modelName, Datatype.UINT8, ByteString.copyFrom(pixels), 1, pixels.length)
                        .addOutputs(output)
                        .build();
        ModelInferResponse response = call(() -> stub().modelInfer(request));
        List<RankedClass> ranked = new ArrayList<>();
        for (ByteString entry : response.getOutputs(0).getContents().getBytesContentsList()) {
            ranked.add(parseRanked(entry.toStringUtf8()));
        }
        return ranked;
    }

    /** Parses the extension's {@code "<probability>:<index>:<label>"}; labels may hold ':'. */
    private static RankedClass parseRanked(String entry) {
        String[] parts = entry.split(":", 3);
        if (parts.length != 3) {
            throw new InferenceClientException(
                    Status.Code.INTERNAL,
                    "expected a classification entry <probability>:<index>:<label>, found '"
                            + entry
                            + "'",
                    null);
        }
        return new RankedClass(Integer.parseInt(parts[1]), parts[2], Double.parseDouble(parts[0]));
    }

    /** Shuts the channel down, waiting up to a second for calls in progress. Idempotent. */
    @Override
    public void close() {
        channel.shutdown();
        try {
            if (!channel.awaitTermination(1, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static int valuesPerExample(int length, int batchSize) {
        if (batchSize < 1 || length == 0 || length % batchSize != 0) {
            throw new IllegalArgumentException(
                    String.format(
                            "expected a batch size of at least 1 that divides the %d values,"
                                    + " found %d",
                            length, batchSize));
        }
        return length / batchSize;
    }

    private float[][] infer(
            String modelName, Datatype datatype, ByteString raw, int batchSize, int perExample) {
        ModelInferRequest request =
                request(modelName, datatype, raw, batchSize, perExample).build();
        ModelInferResponse response = call(() -> stub().modelInfer(request));
        return ProbabilitiesReader.read(response, PROBABILITIES, batchSize);
    }

    private static ModelInferRequest.Builder request(
            String modelName, Datatype datatype, ByteString raw, int batchSize, int perExample) {
        return ModelInferRequest.newBuilder()
                .setModelName(Objects.requireNonNull(modelName, "modelName"))
                .addInputs(
                        InferInputTensor.newBuilder()
                                .setName(INPUT)
                                .setDatatype(datatype.name())
                                .addShape(batchSize)
                                .addShape(perExample))
                .addRawInputContents(raw);
    }

    private GRPCInferenceServiceBlockingStub stub() {
        return stub.withDeadlineAfter(callTimeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private static <T> T call(Supplier<T> rpc) {
        try {
            return rpc.get();
        } catch (StatusRuntimeException e) {
            Status status = e.getStatus();
            String message =
                    status.getDescription() != null
                            ? status.getDescription()
                            : status.getCode().name();
            throw new InferenceClientException(status.getCode(), message, e);
        }
    }
}
