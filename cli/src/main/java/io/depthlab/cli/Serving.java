package io.depthlab.cli;

import io.depthlab.proto.bundle.ModelBundle;
import io.depthlab.server.MetricsEndpoint;
import io.depthlab.server.ModelServer;
import io.depthlab.trainer.inference.Classifier;
import io.depthlab.trainer.inference.Nd4jClassifier;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
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
        checkPort(options.port, "--port");
        checkPort(options.metricsPort, "--metrics-port");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Classifier classifier = Nd4jClassifier.load(bundle);
        ModelServer server = null;
        try {
            server =
                    ModelServer.startOn(
                            new InetSocketAddress(options.host, options.port),
                            classifier,
                            registry);
            MetricsEndpoint metrics =
                    new MetricsEndpoint(
                            registry, new InetSocketAddress(options.host, options.metricsPort));
            metrics.start();
            return new Serving(classifier, server, metrics, options.host);
        } catch (IOException | RuntimeException e) {
            if (server != null) {
                server.close();
            }
            classifier.close();
            throw new IOException(describeBindFailure(e, options), e);
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

    private static String describeBindFailure(Exception e, ServingOptions options) {
        String reason = ErrorReporter.describe(e);
        if (e.getCause() instanceof java.net.BindException
                || e instanceof java.net.BindException
                || reason.contains("Address already in use")) {
            return String.format(
                    "cannot listen on %s port %d (gRPC) or %d (metrics): %s; choose others with"
                            + " --port and --metrics-port (0 picks a free one)",
                    options.host, options.port, options.metricsPort, reason);
        }
        return reason;
    }
}
