package io.depthlab.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;

/**
 * The process's JVM metrics: memory pools, garbage collection, threads, processor use and uptime,
 * as Micrometer's standard binders name them (e.g. {@code jvm_memory_used_bytes}).
 *
 * <p>Bind them once per registry: a second binding would count every collection twice. {@link
 * #close()} stops listening to collections; gauges stay registered. Thread-safe.
 */
public final class JvmMetrics implements AutoCloseable {

    private final JvmGcMetrics gcMetrics;

    private JvmMetrics(JvmGcMetrics gcMetrics) {
        this.gcMetrics = gcMetrics;
    }

    /** Binds the JVM metrics to {@code registry}. */
    public static JvmMetrics bindTo(MeterRegistry registry) {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        JvmGcMetrics gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);
        return new JvmMetrics(gcMetrics);
    }

    /** Stops recording garbage collections; idempotent. */
    @Override
    public void close() {
        gcMetrics.close();
    }
}
