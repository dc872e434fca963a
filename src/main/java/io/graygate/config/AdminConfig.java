package io.graygate.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/** The admin API listener; {@code token}, when non-empty, is required as "Authorization: Bearer &lt;token&gt;". */
public record AdminConfig(HostPort listen, String token) {

    public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 9090);

    @JsonCreator
    public AdminConfig(@JsonProperty("listen") HostPort listen, @JsonProperty("token") String token) {
        this.listen = listen == null ? DEFAULT_LISTEN : listen;
        this.token = token == null || token.isBlank() ? "" : token;
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
        return "AdminConfig[listen=" + listen + ", token=" + (token.isEmpty() ? "none" : "****") + "]";
    }
}
