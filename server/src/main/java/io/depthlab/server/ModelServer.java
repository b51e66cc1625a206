package io.depthlab.server;

import io.depthlab.proto.inference.GRPCInferenceServiceGrpc;
import io.depthlab.trainer.inference.Classifier;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gRPC server for one {@link Classifier}: the Open Inference Protocol service ({@link
 * InferenceService}) timed by {@link InferenceMetrics}, {@code grpc.health.v1.Health} and server
 * reflection ({@code grpc.reflection.v1}).
 *
 * <p>Call order: construct, {@link #start()}, then {@link #close()}. {@code start()} binds, runs
 * one warm-up inference and only then reports SERVING through health (both the server-wide status
 * {@code ""} and {@code inference.GRPCInferenceService}) and ready through ServerReady. {@code
 * close()} reports NOT_SERVING at once, lets calls in progress finish for the shutdown grace
 * period, then cancels the rest. Both are idempotent; a closed server cannot be restarted.
 *
 * <p>The server does not own the classifier: close the classifier after {@code close()} returns. It
 * binds the JVM metrics ({@link JvmMetrics}) to the registry on start, so the caller must not bind
 * them again. Calls run on the builder's executor (grpc-java's default cached pool unless the
 * caller set one). Thread-safe; {@code state} is guarded by {@code this}.
 */
public final class ModelServer implements AutoCloseable {

    /**
     * The largest request accepted: {@value} bytes (64 MiB). grpc-java's default of 4 MiB is too
     * small for a batch of 1,024 CIFAR images as FP32 (12.6 MB).
     */
    public static final int MAX_INBOUND_MESSAGE_BYTES = 64 << 20;

    /** How long {@link #close()} waits for calls in progress by default: 10 seconds. */
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);

    /** How long {@link #close()} waits after cancelling the calls left over. */
    private static final Duration CANCEL_WAIT = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(ModelServer.class);

    private enum State {
        NEW,
        STARTED,
        CLOSED
    }

    private final Classifier classifier;
    private final MeterRegistry registry;
    private final InferenceService service;
    private final HealthStatusManager health = new HealthStatusManager();
    private final Server server;
    private final Duration shutdownGrace;

    /** Guarded by {@code this}. */
    private State state = State.NEW;

    /** Guarded by {@code this}; bound on start, closed on close. */
    private JvmMetrics jvmMetrics;

    /** A server that waits {@link #DEFAULT_SHUTDOWN_GRACE} for calls in progress on close. */
    public ModelServer(ServerBuilder<?> builder, Classifier classifier, MeterRegistry registry) {
        this(builder, classifier, registry, DEFAULT_SHUTDOWN_GRACE);
    }

    /**
     * Registers the services on {@code builder} and builds the server; nothing is bound yet.
     *
     * @param builder a fresh builder (Netty for TCP, in-process for tests); its inbound message
     *     limit is raised to {@link #MAX_INBOUND_MESSAGE_BYTES}
     * @param classifier the model to serve, loaded; the caller closes it after the server
     * @param registry where request and JVM metrics go
     * @param shutdownGrace how long {@link #close()} lets calls in progress finish, at least zero
     * @throws IllegalArgumentException if the classifier's bundle is unfit to serve (see {@link
     *     InferenceService}) or {@code shutdownGrace} is negative
     */
    public ModelServer(
            ServerBuilder<?> builder,
            Classifier classifier,
            MeterRegistry registry,
            Duration shutdownGrace) {
        Objects.requireNonNull(builder, "builder");
        this.classifier = Objects.requireNonNull(classifier, "classifier");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.shutdownGrace = Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        if (shutdownGrace.isNegative()) {
            throw new IllegalArgumentException(
                    "expected a shutdown grace of at least zero, found " + shutdownGrace);
        }
        InferenceMetrics metrics =
                new InferenceMetrics(
                        registry,
                        classifier.bundle().getModelName(),
                        classifier.bundle().getModelVersion());
        this.service = new InferenceService(classifier, metrics);
        // HealthStatusManager starts out SERVING; nothing is ready before the warm-up.
        setHealth(ServingStatus.NOT_SERVING);
        this.server =
                builder.maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
                        .addService(ServerInterceptors.intercept(service, metrics.interceptor()))
                        .addService(health.getHealthService())
                        .addService(ProtoReflectionServiceV1.newInstance())
                        .build();
    }

    /**
     * Starts a server on the loopback address, warmed up and ready.
     *
     * @param port the TCP port, 0 to pick a free one (see {@link #port()})
     * @throws IOException if the port cannot be bound
     */
    public static ModelServer startOnLoopback(
            int port, Classifier classifier, MeterRegistry registry) throws IOException {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("expected a port from 0 to 65535, found " + port);
        }
        return startOn(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                classifier,
                registry);
    }

    /**
     * Starts a Netty server on {@code address}, warmed up and ready. Use a wildcard address ({@code
     * 0.0.0.0}) only where the network in front is trusted: the server has no TLS and no
     * authentication.
     *
     * @param address where to listen; port 0 picks a free one (see {@link #port()})
     * @throws IOException if the address cannot be bound
     */
    public static ModelServer startOn(
            InetSocketAddress address, Classifier classifier, MeterRegistry registry)
            throws IOException {
        Objects.requireNonNull(address, "address");
        return new ModelServer(NettyServerBuilder.forAddress(address), classifier, registry)
                .start();
    }

    /**
     * Binds, warms the model up and reports SERVING; returns at once if already started.
     *
     * @return this server
     * @throws IOException if the address cannot be bound
     * @throws IllegalStateException if the server was closed
     * @throws RuntimeException whatever the warm-up inference throws; the server is then closed
     */
    public synchronized ModelServer start() throws IOException {
        if (state == State.STARTED) {
            return this;
        }
        if (state == State.CLOSED) {
            throw new IllegalStateException(
                    "expected a new server, found a closed one: servers cannot be restarted");
        }
        server.start();
        state = State.STARTED;
        jvmMetrics = JvmMetrics.bindTo(registry);
        log.info(
                "Serving model '{}' version '{}' on {}",
                classifier.bundle().getModelName(),
                classifier.bundle().getModelVersion(),
                Addresses.describe(server.getListenSockets()));
        try {
            service.warmUp();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        setHealth(ServingStatus.SERVING);
        return this;
    }

    /**
     * The TCP port the server listens on, or -1 if it is not started or not on TCP (in-process).
     */
    public synchronized int port() {
        if (state != State.STARTED) {
            return -1;
        }
        List<? extends SocketAddress> sockets = server.getListenSockets();
        return !sockets.isEmpty() && sockets.get(0) instanceof InetSocketAddress inet
                ? inet.getPort()
                : -1;
    }

    /**
     * Blocks until the server has terminated: after {@link #close()}, from any thread (e.g. a
     * shutdown hook). Returns at once if the server was closed without being started.
     *
     * @throws InterruptedException if the waiting thread is interrupted
     */
    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    /** Whether the model is warmed up and the server is not shutting down. */
    public boolean isReady() {
        return service.isReady();
    }

    /**
     * Reports NOT_SERVING, stops accepting calls, waits up to the shutdown grace for calls in
     * progress, then cancels the rest. Idempotent; a concurrent second call returns at once.
     */
    @Override
    public void close() {
        synchronized (this) {
            State previous = state;
            state = State.CLOSED;
            if (previous == State.CLOSED) {
                return;
            }
            if (previous == State.NEW) {
                // Never started: shutting down only marks it terminated for awaitTermination.
                server.shutdown();
                return;
            }
            jvmMetrics.close();
        }
        health.enterTerminalState();
        service.markDraining();
        server.shutdown();
        try {
            if (!server.awaitTermination(shutdownGrace.toNanos(), TimeUnit.NANOSECONDS)) {
                log.warn("Calls still running after {}; cancelling them", shutdownGrace);
                server.shutdownNow();
                server.awaitTermination(CANCEL_WAIT.toNanos(), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        log.info("Server for model '{}' stopped", classifier.bundle().getModelName());
    }

    private void setHealth(ServingStatus status) {
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
        health.setStatus(GRPCInferenceServiceGrpc.SERVICE_NAME, status);
    }
}
