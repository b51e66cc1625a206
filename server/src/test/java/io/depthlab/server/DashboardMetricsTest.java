package io.depthlab.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard in deploy/ plots only series the server really exports: renaming a meter
 * without the dashboard (or the other way round) fails here, not on a blank panel in production.
 */
class DashboardMetricsTest {

    private static final Path DASHBOARD =
            Path.of(System.getProperty("depthlab.home", ".."))
                    .resolve("deploy/grafana/depthlab-dashboard.json");

    private static final Pattern SERIES = Pattern.compile("\\b((?:inference|jvm)_[a-z_]+)\\b");

    @Test
    void dashboard_everySeriesItQueries_isInTheScrape() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (InProcessServing serving =
                InProcessServing.start(LinearSoftmaxClassifier.standard(), registry)) {
            serving.stub()
                    .modelInfer(
                            Requests.uint8Raw(
                                    Requests.pixels(LinearSoftmaxClassifier.INPUT_SIZE, 5),
                                    1,
                                    LinearSoftmaxClassifier.INPUT_SIZE));
        }
        String scrape = registry.scrape();

        Set<String> queried = seriesIn(Files.readString(DASHBOARD));

        assertThat(queried).isNotEmpty();
        for (String series : queried) {
            assertThat(scrape).as("series %s of the dashboard", series).contains(series + "{");
        }
    }

    private static Set<String> seriesIn(String dashboard) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = SERIES.matcher(dashboard);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }
}
