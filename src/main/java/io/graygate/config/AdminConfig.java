package io.graygate.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Locale;

/**
 * The admin API listener; {@code token}, when non-empty, is required as "Authorization: Bearer &lt;token&gt;";
 * {@code maxBodySize} bounds a request body, checked once the caller is authenticated.
 */
public record AdminConfig(HostPort listen, String token, int maxBodySize) {

    public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 9090);
    /** Room for a whitelist of a million IPv6 addresses in one POST, about 45 MB of JSON. */
    public static final int DEFAULT_MAX_BODY_SIZE = 64 * 1024 * 1024;

    public AdminConfig {
        if (maxBodySize < 1) throw new IllegalArgumentException("maxBodySize: must be at least 1 byte, got " + maxBodySize);
    }

    @JsonCreator
    public AdminConfig(@JsonProperty("listen") HostPort listen, @JsonProperty("token") String token,
                       @JsonProperty("maxBodySize") String maxBodySize) {
        this(listen == null ? DEFAULT_LISTEN : listen, token == null || token.isBlank() ? "" : token, size(maxBodySize));
    }

    public AdminConfig(HostPort listen, String token) {
        this(listen, token, (String) null);
    }

    public static AdminConfig defaults() {
        return new AdminConfig(null, null);
    }

    public boolean requiresToken() {
        return !token.isEmpty();
    }

    /** "64MiB", "512KiB", "1GiB" or a number of bytes; the default when absent. */
    private static int size(String text) {
        if (text == null || text.isBlank()) return DEFAULT_MAX_BODY_SIZE;
        String s = text.strip().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (s.endsWith("kib")) unit = 1024;
        else if (s.endsWith("mib")) unit = 1024 * 1024;
        else if (s.endsWith("gib")) unit = 1024 * 1024 * 1024;
        String digits = unit == 1 ? s : s.substring(0, s.length() - 3).strip();
        long bytes;
        try {
            bytes = Math.multiplyExact(Long.parseLong(digits), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("maxBodySize: expected a size such as 64MiB, 512KiB or a number of bytes, got \"" + text + "\"");
        }
        if (bytes < 1 || bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("maxBodySize: must be 1 byte to 2047MiB, got \"" + text + "\"");
        }
        return (int) bytes;
    }

    /** Never prints the token. */
    @Override
    public String toString() {
        return "AdminConfig[listen=" + listen + ", token=" + (token.isEmpty() ? "none" : "****") + ", maxBodySize=" + maxBodySize + "]";
    }
}
