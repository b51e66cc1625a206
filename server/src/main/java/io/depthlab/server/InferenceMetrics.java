package io.depthlab.server;

import io.depthlab.proto.inference.GRPCInferenceServiceGrpc;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The inference service's metrics, recorded in one place: a {@link ServerInterceptor} that times
 * every call of the Open Inference Protocol service, plus the count of predicted examples.
 *
 * <p>Meters, all tagged {@code model} and {@code version}:
 *
 * <ul>
 *   <li>Timer {@value #REQUEST_DURATION} (Prometheus: {@code inference_request_duration_seconds})
 *       also tagged {@code method} (the RPC, e.g. {@code ModelInfer}) and {@code status} (the gRPC
 *       code name, e.g. {@code OK}, {@code INVALID_ARGUMENT}), with a latency histogram for
 *       quantiles and autoscaling. Its count is the request count: there is no separate request
 *       counter, so the two can never disagree.
 *   <li>Counter {@value #EXAMPLES} ({@code inference_examples_total}): examples predicted by
 *       successful ModelInfer calls.
 *   <li>Gauge {@value #IN_FLIGHT} ({@code inference_requests_in_flight}): calls started and not yet
 *       closed.
 * </ul>
 *
 * <p>The OK series of every method exists from construction on, so dashboards and rate queries see
 * zeros instead of missing series. Timers are created once per (method, status) and cached.
 * Thread-safe.
 */
public final class InferenceMetrics {

    /** The request latency timer. */
    public static final String REQUEST_DURATION = "inference.request.duration";

    /** The predicted-examples counter. */
    public static final String EXAMPLES = "inference.examples";

    /** The in-flight calls gauge. */
    public static final String IN_FLIGHT = "inference.requests.in.flight";

    /**
     * The latency histogram's buckets, where serving objectives usually sit, so that "share of
     * requests under 100 ms" needs no interpolation. A fixed short list rather than Micrometer's
     * percentile histogram (about 70 buckets per series) keeps every scrape small.
     */
    private static final Duration[] LATENCY_OBJECTIVES = {
        Duration.ofNanos(500_000),
        Duration.ofMillis(1),
        Duration.ofMillis(2),
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(25),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofMillis(2500),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
    };

    private record TimerKey(String method, Status.Code code) {}

    private final MeterRegistry registry;
    private final Tags modelTags;
    private final Counter examples;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<TimerKey, Timer> timers = new ConcurrentHashMap<>();
    private final ServerInterceptor interceptor = new TimingInterceptor();

    /**
     * Registers the meters of one served model.
     *
     * @param version the model version; may be empty
     */
    public InferenceMetrics(MeterRegistry registry, String model, String version) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.modelTags =
                Tags.of(
                        "model", Objects.requireNonNull(model, "model"),
                        "version", Objects.requireNonNull(version, "version"));
        this.examples =
                Counter.builder(EXAMPLES)
                        .description("Examples predicted by successful ModelInfer calls")
                        .tags(modelTags)
                        .register(registry);
        Gauge.builder(IN_FLIGHT, inFlight, AtomicInteger::get)
                .description("Inference calls started and not yet answered")
                .tags(modelTags)
                .register(registry);
        for (MethodDescriptor<?, ?> method :
                GRPCInferenceServiceGrpc.getServiceDescriptor().getMethods()) {
            timer(method.getBareMethodName(), Status.Code.OK);
        }
    }

    /** The interceptor to wrap the inference service with; times each call until it closes. */
    public ServerInterceptor interceptor() {
        return interceptor;
    }

    /** Counts {@code count} predicted examples. */
    public void examplesPredicted(int count) {
        examples.increment(count);
    }

    /** The number of calls started and not yet closed. */
    public int inFlight() {
        return inFlight.get();
    }

    private Timer timer(String method, Status.Code code) {
        return timers.computeIfAbsent(new TimerKey(method, code), this::register);
    }

    private Timer register(TimerKey key) {
        return Timer.builder(REQUEST_DURATION)
                .description("Time from the start of an inference call until its status is sent")
                .tags(modelTags)
                .tag("method", key.method())
                .tag("status", key.code().name())
                .serviceLevelObjectives(LATENCY_OBJECTIVES)
                .register(registry);
    }

    private final class TimingInterceptor implements ServerInterceptor {

        @Override
        public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
                ServerCall<ReqT, RespT> call,
                Metadata headers,
                ServerCallHandler<ReqT, RespT> next) {
            CallRecord record = new CallRecord(call.getMethodDescriptor().getBareMethodName());
            ServerCall<ReqT, RespT> timed =
                    new SimpleForwardingServerCall<>(call) {
                        @Override
                        public void close(Status status, Metadata trailers) {
                            // Before forwarding, so a client that has its answer finds it counted.
                            record.finish(status.getCode());
                            super.close(status, trailers);
                        }
                    };
            ServerCall.Listener<ReqT> listener;
            try {
                listener = next.startCall(timed, headers);
            } catch (RuntimeException e) {
                record.finish(Status.Code.UNKNOWN);
                throw e;
            }
            return new SimpleForwardingServerCallListener<>(listener) {
                @Override
                public void onCancel() {
                    record.finish(Status.Code.CANCELLED);
                    super.onCancel();
                }
            };
        }
    }

    /** One call's timing; finishes once, whichever of close and cancel comes first. */
    private final class CallRecord {
        private final String method;
        private final Timer.Sample sample;
        private final AtomicBoolean finished = new AtomicBoolean();

        CallRecord(String method) {
            this.method = method;
            this.sample = Timer.start(registry);
            inFlight.incrementAndGet();
        }

        void finish(Status.Code code) {
            if (finished.compareAndSet(false, true)) {
                sample.stop(timer(method, code));
                inFlight.decrementAndGet();
            }
        }
    }
}
