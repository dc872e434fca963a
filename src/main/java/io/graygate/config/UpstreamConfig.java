package io.graygate.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Duration;
import java.util.List;

/**
 * An upstream group: its servers (smooth weighted round-robin), passive health with nginx's names ({@code maxFails}
 * failures within {@code failTimeout} take a server out for {@code failTimeout}), optional active health checks,
 * a path prefix put before every request's path, TLS settings for {@code https://} servers, and how host names are
 * followed ({@link ResolveConfig}).
 */
public record UpstreamConfig(List<ServerConfig> servers, int maxFails, Duration failTimeout, HealthCheckConfig healthCheck,
                             String pathPrefix, UpstreamTlsConfig tls, ResolveConfig resolve) {

    public static final int DEFAULT_MAX_FAILS = 1;
    public static final Duration DEFAULT_FAIL_TIMEOUT = Duration.ofSeconds(10);

    @JsonCreator
    public UpstreamConfig(@JsonProperty("servers") List<ServerConfig> servers,
                          @JsonProperty("maxFails") Integer maxFails,
                          @JsonProperty("failTimeout") String failTimeout,
                          @JsonProperty("healthCheck") HealthCheckConfig healthCheck,
                          @JsonProperty("pathPrefix") String pathPrefix,
                          @JsonProperty("tls") UpstreamTlsConfig tls,
                          @JsonProperty("resolve") ResolveConfig resolve) {
        this(checkedServers(servers), checkedMaxFails(maxFails),
                Durations.orDefault("failTimeout", failTimeout, DEFAULT_FAIL_TIMEOUT, Duration.ofMillis(1)),
                healthCheck, checkedPrefix(pathPrefix), tls == null ? UpstreamTlsConfig.defaults() : tls,
                resolve == null ? ResolveConfig.defaults() : resolve);
    }

    /** A group of plain servers with every default, as the demo and tests build them. */
    public static UpstreamConfig of(List<HostPort> servers) {
        return new UpstreamConfig(servers.stream().map(hp -> ServerConfig.of(hp.toString())).toList(), null, null, null, null, null, null);
    }

    /** The server's own maxFails, else the group's. */
    public int maxFails(ServerConfig server) {
        return server.maxFails() != null ? server.maxFails() : maxFails;
    }

    /** The server's own failTimeout, else the group's. */
    public Duration failTimeout(ServerConfig server) {
        return server.failTimeout() != null ? server.failTimeout() : failTimeout;
    }

    private static List<ServerConfig> checkedServers(List<ServerConfig> servers) {
        if (servers == null || servers.isEmpty()) throw new IllegalArgumentException("servers: at least one server is required");
        for (int i = 0; i < servers.size(); i++) {
            if (servers.get(i) == null) throw new IllegalArgumentException("servers[" + i + "]: is empty");
        }
        return List.copyOf(servers);
    }

    private static int checkedMaxFails(Integer maxFails) {
        if (maxFails == null) return DEFAULT_MAX_FAILS;
        if (maxFails < 0) throw new IllegalArgumentException("maxFails: must be 0 (never marked down) or more, got " + maxFails);
        return maxFails;
    }

    /** A checked {@code pathPrefix} (also a version's), null for none. */
    static String checkedPrefix(String prefix) {
        if (prefix == null || prefix.isEmpty() || prefix.equals("/")) return null;
        if (!prefix.startsWith("/")) throw new IllegalArgumentException("pathPrefix: must start with '/', got \"" + prefix + "\"");
        if (prefix.indexOf('?') >= 0 || prefix.indexOf('#') >= 0 || prefix.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
            throw new IllegalArgumentException("pathPrefix: must be a plain path (no query, spaces or control characters), got \"" + prefix + "\"");
        }
        return prefix;
    }
}
