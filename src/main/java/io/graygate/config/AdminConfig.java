package io.graygate.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The admin API listener; {@code token}, when non-empty, is required as "Authorization: Bearer &lt;token&gt;", on
 * {@code /metrics} too unless {@code metricsWithoutToken}.
 */
public record AdminConfig(HostPort listen, String token, boolean metricsWithoutToken) {

    public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 9090);

    @JsonCreator
    public AdminConfig(@JsonProperty("listen") HostPort listen, @JsonProperty("token") String token,
                       @JsonProperty("metricsWithoutToken") Boolean metricsWithoutToken) {
        this(listen == null ? DEFAULT_LISTEN : listen, token == null || token.isBlank() ? "" : token,
                metricsWithoutToken != null && metricsWithoutToken);
    }

    public AdminConfig(HostPort listen, String token) {
        this(listen, token, (Boolean) null);
    }

    public AdminConfig {
        java.util.Objects.requireNonNull(listen, "listen");
        java.util.Objects.requireNonNull(token, "token");
    }

    /** The same settings listening on {@code l}. */
    public AdminConfig withListen(HostPort l) {
        return new AdminConfig(l, token, metricsWithoutToken);
    }

    public static AdminConfig defaults() {
        return new AdminConfig(null, null);
    }

    public boolean requiresToken() {
        return !token.isEmpty();
    }

    /** Never prints the token. */
    @Override
    public String toString() {
        return "AdminConfig[listen=" + listen + ", token=" + (token.isEmpty() ? "none" : "****")
                + (metricsWithoutToken ? ", metricsWithoutToken" : "") + "]";
    }
}
