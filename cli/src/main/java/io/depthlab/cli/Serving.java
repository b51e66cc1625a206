package io.depthlab.cli;

import io.depthlab.proto.bundle.ModelBundle;
import io.depthlab.server.MetricsEndpoint;
import io.depthlab.server.ModelServer;
import io.depthlab.trainer.engine.NativeMemory;
import io.depthlab.trainer.inference.Classifier;
import io.depthlab.trainer.inference.Nd4jClassifier;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A model served over gRPC with its metrics endpoint; closing stops both and frees the model. */
final class Serving implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Serving.class);

    private final Classifier classifier;
    private final ModelServer server;
    private final MetricsEndpoint metrics;
    private final String host;
    private final java.util.concurrent.atomic.AtomicBoolean closed =
            new java.util.concurrent.atomic.AtomicBoolean();

    private Serving(
            Classifier classifier, ModelServer server, MetricsEndpoint metrics, String host) {
        this.classifier = classifier;
        this.server = server;
        this.metrics = metrics;
        this.host = host;
    }

    /** Loads {@code bundle}, starts the gRPC server and then the metrics endpoint. */
    static Serving start(ModelBundle bundle, ServingOptions options) throws IOException {
        // Both ports before either server, so that a taken metrics port costs no model load.
        checkAvailable(options);
        NativeMemory.advice().ifPresent(log::warn);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Classifier classifier = Nd4jClassifier.load(bundle);
        ModelServer server = null;
        try {
            server = startServer(classifier, registry, options);
            MetricsEndpoint metrics =
                    new MetricsEndpoint(
                            registry, new InetSocketAddress(options.host, options.metricsPort));
            try {
                metrics.start();
            } catch (IOException e) {
                throw bindFailure("--metrics-port", options.host, options.metricsPort, e);
            }
            return new Serving(classifier, server, metrics, options.host);
        } catch (IOException | RuntimeException e) {
            if (server != null) {
                server.close();
            }
            classifier.close();
            throw e;
        }
    }

    /**
     * Fails early, before a long training run, if a fixed port is taken: binds and releases each.
     * Another process may still take the port in between; {@link #start} then says so.
     */
    static void checkAvailable(ServingOptions options) throws IOException {
        checkPorts(options);
        probe("--port", options.host, options.port);
        probe("--metrics-port", options.host, options.metricsPort);
    }

    private static ModelServer startServer(
            Classifier classifier, PrometheusMeterRegistry registry, ServingOptions options)
            throws IOException {
        try {
            return ModelServer.startOn(
                    new InetSocketAddress(options.host, options.port), classifier, registry);
        } catch (IOException e) {
            throw bindFailure("--port", options.host, options.port, e);
        }
    }

    private static void probe(String option, String host, int port) throws IOException {
        if (port == 0) {
            return;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw bindFailure(option, host, port, e);
        }
    }

    static IOException bindFailure(String option, String host, int port, IOException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        String message = String.valueOf(cause.getMessage());
        if (message.contains("Unresolved address")) {
            return new IOException(
                    String.format(
                            "--host %s: cannot listen on %s:%d: no address found for that name;"
                                    + " use 127.0.0.1, 0.0.0.0 (every interface) or a name this"
                                    + " machine resolves",
                            host, host, port),
                    e);
        }
        if (cause instanceof BindException && message.contains("assign")) {
            // EADDRNOTAVAIL: the host is the mistake, not the port.
            return new IOException(
                    String.format(
                            "--host %s: cannot listen on %s:%d: the address is not one of this"
                                    + " machine's; use 127.0.0.1, 0.0.0.0 (every interface) or"
                                    + " one of its own addresses",
                            host, host, port),
                    e);
        }
        String reason =
                message.contains("in use")
                        ? "the port is already in use"
                        : ErrorReporter.describe(cause);
        return new IOException(
                String.format(
                        "%s %d: cannot listen on %s:%d: %s; choose another port, or 0 for any"
                                + " free one",
                        option, port, host, port, reason),
                e);
    }

    private static void checkPorts(ServingOptions options) {
        checkPort(options.port, "--port");
        checkPort(options.metricsPort, "--metrics-port");
        if (options.port != 0 && options.port == options.metricsPort) {
            throw new IllegalArgumentException(
                    String.format(
                            "--port and --metrics-port: expected two different ports, found %d"
                                    + " for both",
                            options.port));
        }
    }

    int port() {
        return server.port();
    }

    String grpcAddress() {
        return host + ":" + server.port();
    }

    String metricsUrl() {
        return "http://" + host + ":" + metrics.port() + "/metrics";
    }

    /** Blocks until Ctrl-C (or another termination signal), then closes everything. */
    void serveUntilInterrupted() throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook =
                new Thread(
                        () -> {
                            log.info("Stopping: draining calls in progress");
                            close();
                            stopped.countDown();
                        },
                        "depthlab-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        stopped.await();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        metrics.close();
        server.close();
        classifier.close();
    }

    private static void checkPort(int port, String option) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException(
                    option + ": expected a port from 0 to 65535, found " + port);
        }
    }
}
