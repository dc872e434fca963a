package io.graygate.admin;

import io.graygate.proxy.ProxyServer;
import io.graygate.routing.RouteTable;
import io.graygate.stats.TrafficCollector;
import io.graygate.stats.TrafficMeters;
import io.graygate.store.StoreStatus;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * {@code GET /metrics}: this node's metrics in Prometheus's text format, from a registry of its own (the traffic
 * collector, callbacks on the upstream servers, connections and store, and the client library's JVM metrics). Every
 * figure is read when scraped.
 */
public final class MetricsEndpoint {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    /**
     * @param servers     the upstream servers in force
     * @param connections the client connections open now
     * @param store       the store's status
     */
    public MetricsEndpoint(TrafficMeters meters, Supplier<RouteTable> routes, Supplier<List<ProxyServer.ServerState>> servers,
                           LongSupplier connections, Supplier<StoreStatus> store) {
        registry.register(new TrafficCollector(meters, routes));
        GaugeWithCallback.builder().name("graygate_upstream_server_up")
                .help("1 while the server is in use, 0 while failures or health checks keep it out")
                .labelNames("upstream", "server")
                .callback(cb -> servers.get().forEach(s -> cb.call(s.up() ? 1 : 0, s.upstream(), s.server())))
                .register(registry);
        CounterWithCallback.builder().name("graygate_upstream_connect_failures")
                .help("Connections to the server that could not be made (refused, timed out, TLS handshake failed)")
                .labelNames("upstream", "server")
                .callback(cb -> servers.get().forEach(s -> cb.call(s.connectFailures(), s.upstream(), s.server())))
                .register(registry);
        GaugeWithCallback.builder().name("graygate_active_connections")
                .help("Client connections open on the proxy listeners")
                .callback(cb -> cb.call(connections.getAsLong()))
                .register(registry);
        GaugeWithCallback.builder().name("graygate_store_up")
                .help("1 while the rule store is reachable")
                .callback(cb -> cb.call(store.get().connected() ? 1 : 0))
                .register(registry);
        GaugeWithCallback.builder().name("graygate_store_sync_age_seconds")
                .help("Seconds since this node last had the store's rules in full (absent before the first time)")
                .callback(cb -> {
                    long age = store.get().syncAgeMillis();
                    if (age >= 0) cb.call(age / 1000.0);
                })
                .register(registry);
        JvmMetrics.builder().register(registry);
    }

    /** What a proxy-less admin server (tests of the API alone) shows: the JVM's metrics and empty traffic. */
    static MetricsEndpoint standalone(Supplier<RouteTable> routes, Supplier<StoreStatus> store) {
        return new MetricsEndpoint(TrafficMeters.NONE, routes, List::of, () -> 0, store);
    }

    byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory does not fail", e);
        }
        return out.toByteArray();
    }

    String contentType() {
        return writer.getContentType();
    }
}
