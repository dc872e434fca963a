package io.graygate.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Duration;

/** Tuning of the proxy: timeouts (the client's and the upstream's), pools, threads, the version header, the access log and retries. Every key is optional. */
public record ProxyConfig(Duration connectTimeout, Duration responseTimeout, Duration idleTimeout,
                          Duration upstreamIdleTimeout, int maxIdlePerServer, Duration drainTimeout, int ioThreads,
                          boolean versionHeader, boolean accessLog, int maxHeaderSize, NextUpstream nextUpstream,
                          int nextUpstreamTries, String accessLogFormat, Duration requestHeaderTimeout, Duration requestBodyTimeout,
                          String transport) {

    /** The socket transports {@code transport} may name; {@code auto} takes the first that loads of io_uring, epoll, nio. */
    public static final java.util.List<String> TRANSPORTS = java.util.List.of("auto", "io_uring", "epoll", "nio");

    public static ProxyConfig defaults() {
        return new ProxyConfig((String) null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    @JsonCreator
    public ProxyConfig(@JsonProperty("connectTimeout") String connectTimeout,
                       @JsonProperty("responseTimeout") String responseTimeout,
                       @JsonProperty("idleTimeout") String idleTimeout,
                       @JsonProperty("upstreamIdleTimeout") String upstreamIdleTimeout,
                       @JsonProperty("maxIdlePerServer") Integer maxIdlePerServer,
                       @JsonProperty("drainTimeout") String drainTimeout,
                       @JsonProperty("ioThreads") Integer ioThreads,
                       @JsonProperty("versionHeader") Boolean versionHeader,
                       @JsonProperty("accessLog") Boolean accessLog,
                       @JsonProperty("maxHeaderSize") Integer maxHeaderSize,
                       @JsonProperty("nextUpstream") java.util.List<String> nextUpstream,
                       @JsonProperty("nextUpstreamTries") Integer nextUpstreamTries,
                       @JsonProperty("accessLogFormat") String accessLogFormat,
                       @JsonProperty("requestHeaderTimeout") String requestHeaderTimeout,
                       @JsonProperty("requestBodyTimeout") String requestBodyTimeout,
                       @JsonProperty("transport") String transport) {
        this(Durations.orDefault("connectTimeout", connectTimeout, Duration.ofSeconds(2), Duration.ofMillis(10)),
                Durations.orDefault("responseTimeout", responseTimeout, Duration.ofSeconds(60), Duration.ofMillis(10)),
                Durations.orDefault("idleTimeout", idleTimeout, Duration.ofSeconds(75), Duration.ofSeconds(1)),
                Durations.orDefault("upstreamIdleTimeout", upstreamIdleTimeout, Duration.ofSeconds(30), Duration.ofSeconds(1)),
                positive("maxIdlePerServer", maxIdlePerServer, 256),
                Durations.orDefault("drainTimeout", drainTimeout, Duration.ofSeconds(10), Duration.ZERO),
                ioThreads == null ? 0 : nonNegative("ioThreads", ioThreads),
                versionHeader != null && versionHeader,
                accessLog == null || accessLog,
                positive("maxHeaderSize", maxHeaderSize, 16384),
                NextUpstream.parse(nextUpstream),
                nextUpstreamTries == null ? 0 : nonNegative("nextUpstreamTries", nextUpstreamTries),
                accessLogFormat(accessLogFormat),
                Durations.orDefault("requestHeaderTimeout", requestHeaderTimeout, Duration.ofSeconds(30), Duration.ofMillis(10)),
                Durations.orDefault("requestBodyTimeout", requestBodyTimeout, Duration.ofSeconds(60), Duration.ofMillis(10)),
                transport(transport));
    }

    private static String transport(String text) {
        if (text == null) return "auto";
        String t = text.strip().toLowerCase(java.util.Locale.ROOT);
        if (TRANSPORTS.contains(t)) return t;
        throw new IllegalArgumentException("transport: expected one of " + String.join(", ", TRANSPORTS) + ", got \"" + text + "\"");
    }

    /** {@code text} (key=value, the default) or {@code json} (one object per line). */
    private static String accessLogFormat(String text) {
        if (text == null) return "text";
        String t = text.strip().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("text") || t.equals("json")) return t;
        throw new IllegalArgumentException("accessLogFormat: expected text or json, got \"" + text + "\"");
    }

    public boolean accessLogJson() {
        return accessLogFormat.equals("json");
    }

    private static int positive(String field, Integer value, int fallback) {
        if (value == null) return fallback;
        if (value < 1) throw new IllegalArgumentException(field + ": must be at least 1, got " + value);
        return value;
    }

    private static int nonNegative(String field, int value) {
        if (value < 0) throw new IllegalArgumentException(field + ": must be 0 (" + (field.equals("ioThreads") ? "one per core" : "the group's size") + ") or more, got " + value);
        return value;
    }

    public ProxyConfig withVersionHeader(boolean on) {
        return new ProxyConfig(connectTimeout, responseTimeout, idleTimeout, upstreamIdleTimeout, maxIdlePerServer,
                drainTimeout, ioThreads, on, accessLog, maxHeaderSize, nextUpstream, nextUpstreamTries, accessLogFormat,
                requestHeaderTimeout, requestBodyTimeout, transport);
    }

    /** Event-loop threads to run: as configured, else one per core. */
    public int effectiveIoThreads() {
        return ioThreads > 0 ? ioThreads : Runtime.getRuntime().availableProcessors();
    }
}
