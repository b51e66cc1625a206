package io.depthlab.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link PrometheusMeterRegistry}'s scrape at {@code GET /metrics} over plain HTTP on its
 * own port, in the Prometheus text format 0.0.4.
 *
 * <p>Other paths answer 404, other methods 405. Requests are handled one at a time on a daemon
 * thread: a scrape takes milliseconds and Prometheus scrapes rarely. Call {@link #start()} once
 * (later calls return the same port) and {@link #close()} when done; a closed endpoint cannot be
 * restarted. Thread-safe; {@code state}, {@code httpServer} and {@code executor} are guarded by
 * {@code this}.
 */
public final class MetricsEndpoint implements AutoCloseable {

    /** The path the scrape is served at: {@value}. */
    public static final String PATH = "/metrics";

    /** The content type of the Prometheus text format the scrape is written in: {@value}. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);

    private enum State {
        NEW,
        STARTED,
        CLOSED
    }

    private final PrometheusMeterRegistry registry;
    private final InetSocketAddress address;

    private State state = State.NEW;
    private HttpServer httpServer;
    private ExecutorService executor;

    /**
     * @param address where to listen; port 0 picks a free port. Bind to loopback unless a scraper
     *     on another host must reach it: the endpoint has no authentication.
     */
    public MetricsEndpoint(PrometheusMeterRegistry registry, InetSocketAddress address) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.address = Objects.requireNonNull(address, "address");
    }

    /**
     * An endpoint on the loopback address.
     *
     * @param port the TCP port, 0 to pick a free one
     */
    public static MetricsEndpoint onLoopback(PrometheusMeterRegistry registry, int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("expected a port from 0 to 65535, found " + port);
        }
        return new MetricsEndpoint(
                registry, new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }

    /**
     * Binds and starts serving; returns at once if already started.
     *
     * @return the bound port
     * @throws IOException if the address cannot be bound
     * @throws IllegalStateException if the endpoint was closed
     */
    public synchronized int start() throws IOException {
        if (state == State.CLOSED) {
            throw new IllegalStateException(
                    "expected a new metrics endpoint, found a closed one: it cannot be restarted");
        }
        if (state == State.NEW) {
            HttpServer created = HttpServer.create(address, 0);
            created.createContext(PATH, this::handle);
            executor =
                    Executors.newSingleThreadExecutor(
                            task -> {
                                Thread thread = new Thread(task, "depthlab-metrics-http");
                                thread.setDaemon(true);
                                return thread;
                            });
            created.setExecutor(executor);
            created.start();
            httpServer = created;
            state = State.STARTED;
            log.info(
                    "Serving metrics at http://{}{}",
                    Addresses.describe(created.getAddress()),
                    PATH);
        }
        return httpServer.getAddress().getPort();
    }

    /** The bound port, or -1 if the endpoint is not started. */
    public synchronized int port() {
        return state == State.STARTED ? httpServer.getAddress().getPort() : -1;
    }

    /** Stops at once, cutting off a scrape in progress (a scraper just retries); idempotent. */
    @Override
    public synchronized void close() {
        if (state == State.STARTED) {
            httpServer.stop(0);
            executor.shutdownNow();
        }
        state = State.CLOSED;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!PATH.equals(exchange.getRequestURI().getPath())) {
                sendText(exchange, 404, "expected the path " + PATH + "\n");
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                sendText(exchange, 405, "expected GET or HEAD\n");
            } else {
                byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
                boolean head = method.equals("HEAD");
                exchange.sendResponseHeaders(200, head ? -1 : body.length);
                if (!head) {
                    exchange.getResponseBody().write(body);
                }
            }
        }
    }

    private static void sendText(HttpExchange exchange, int code, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(code, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
