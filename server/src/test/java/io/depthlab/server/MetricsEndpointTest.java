package io.depthlab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP scrape endpoint, on 127.0.0.1 with a free port. */
class MetricsEndpointTest {

    private final PrometheusMeterRegistry registry =
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpClient http =
            HttpClient.newBuilder()
                    .proxy(HttpClient.Builder.NO_PROXY)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
    private MetricsEndpoint endpoint;
    private int port;

    @BeforeEach
    void startEndpoint() throws IOException {
        registry.counter("depthlab.test.scrapes", "kind", "probe").increment(3);
        endpoint = MetricsEndpoint.onLoopback(registry, 0);
        port = endpoint.start();
    }

    @AfterEach
    void closeEndpoint() {
        endpoint.close();
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        HttpRequest request =
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .method(method, HttpRequest.BodyPublishers.noBody())
                        .timeout(Duration.ofSeconds(5))
                        .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void get_metrics_answersPrometheusText() throws Exception {
        HttpResponse<String> response = send("GET", "/metrics");

        assertThat(port).isPositive();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(response.body())
                .contains("# TYPE depthlab_test_scrapes_total counter")
                .contains("depthlab_test_scrapes_total{kind=\"probe\"} 3.0");
    }

    @Test
    void get_otherPath_isNotFound() throws Exception {
        assertThat(send("GET", "/metricsx").statusCode()).isEqualTo(404);
        assertThat(send("GET", "/metrics/more").statusCode()).isEqualTo(404);
    }

    @Test
    void post_metrics_isMethodNotAllowed() throws Exception {
        HttpResponse<String> response = send("POST", "/metrics");

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }

    @Test
    void start_twice_returnsSamePort() throws IOException {
        assertThat(endpoint.start()).isEqualTo(port);
        assertThat(endpoint.port()).isEqualTo(port);
    }

    @Test
    void close_always_stopsServingAndForbidsRestart() {
        endpoint.close();
        endpoint.close();

        assertThat(endpoint.port()).isEqualTo(-1);
        assertThatThrownBy(() -> send("GET", "/metrics")).isInstanceOf(IOException.class);
        assertThatThrownBy(endpoint::start).isInstanceOf(IllegalStateException.class);
    }
}
