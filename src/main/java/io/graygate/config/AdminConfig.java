package io.graygate.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The admin API listener. {@code token}, when non-empty, is accepted as "Authorization: Bearer &lt;token&gt;" and
 * its holder recorded as the actor {@code admin}; each of {@code tokens} likewise, recorded under its own name.
 * With neither, every caller is let in. {@code /metrics} needs a token too unless {@code metricsWithoutToken}.
 * {@code maxBodySize} bounds a request body, checked once the caller is authenticated.
 */
public record AdminConfig(HostPort listen, String token, List<NamedToken> tokens, boolean metricsWithoutToken, int maxBodySize) {

    public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 9090);
    /** The actor of the single {@code admin.token} (and of every call when no token is configured). */
    public static final String ADMIN_ACTOR = "admin";
    /** Room for a whitelist of a million IPv6 addresses in one POST, about 45 MB of JSON. */
    public static final int DEFAULT_MAX_BODY_SIZE = 64 * 1024 * 1024;

    /** One of {@code admin.tokens}: a name the audit log records its holder's changes under, and the secret. */
    public record NamedToken(String name, String token) {

        @JsonCreator
        public NamedToken(@JsonProperty("name") String name, @JsonProperty("token") String token) {
            this.name = name == null ? "" : name.strip();
            this.token = token == null ? "" : token.strip();
        }

        /** Never prints the token. */
        @Override
        public String toString() {
            return "NamedToken[name=" + name + ", token=****]";
        }
    }

    @JsonCreator
    public AdminConfig(@JsonProperty("listen") HostPort listen, @JsonProperty("token") String token,
                       @JsonProperty("tokens") List<NamedToken> tokens,
                       @JsonProperty("metricsWithoutToken") Boolean metricsWithoutToken,
                       @JsonProperty("maxBodySize") String maxBodySize) {
        this(listen == null ? DEFAULT_LISTEN : listen, token == null || token.isBlank() ? "" : token, tokens,
                metricsWithoutToken != null && metricsWithoutToken, size(maxBodySize));
    }

    public AdminConfig {
        java.util.Objects.requireNonNull(listen, "listen");
        java.util.Objects.requireNonNull(token, "token");
        tokens = tokens == null ? List.of() : List.copyOf(check(tokens, token));
        if (maxBodySize < 1) throw new IllegalArgumentException("maxBodySize: must be at least 1 byte, got " + maxBodySize);
    }

    public AdminConfig(HostPort listen, String token, List<NamedToken> tokens) {
        this(listen, token, tokens, (Boolean) null, (String) null);
    }

    public AdminConfig(HostPort listen, String token) {
        this(listen, token, null, (Boolean) null, (String) null);
    }

    public static AdminConfig defaults() {
        return new AdminConfig(null, null, null);
    }

    /** Names unique (and not {@value #ADMIN_ACTOR} beside {@code admin.token}), tokens non-empty and unique; refused whole. */
    private static List<NamedToken> check(List<NamedToken> tokens, String adminToken) {
        Set<String> names = new HashSet<>();
        Set<String> secrets = new HashSet<>();
        if (!adminToken.isEmpty()) {
            names.add(ADMIN_ACTOR);
            secrets.add(adminToken);
        }
        for (int i = 0; i < tokens.size(); i++) {
            NamedToken t = tokens.get(i);
            String at = "tokens[" + i + "]";
            if (t == null) throw new IllegalArgumentException(at + ": is empty; expected {name: NAME, token: SECRET}");
            if (t.name().isEmpty()) throw new IllegalArgumentException(at + ".name: is required (the actor its changes are recorded under)");
            if (!t.name().matches("[A-Za-z0-9._@:-]{1,64}")) {
                throw new IllegalArgumentException(at + ".name: expected up to 64 letters, digits, '.', '_', '@', ':' or '-', got \"" + t.name() + "\"");
            }
            if (t.token().isEmpty()) throw new IllegalArgumentException(at + ".token: is empty (an unset ${VARIABLE}?); every named token needs a secret");
            if (!names.add(t.name())) {
                throw new IllegalArgumentException(at + ".name: \"" + t.name() + "\" is taken"
                        + (t.name().equals(ADMIN_ACTOR) && !adminToken.isEmpty() ? " by admin.token" : " by another token"));
            }
            if (!secrets.add(t.token())) {
                throw new IllegalArgumentException(at + ".token: the same secret as another token (or admin.token); each needs its own");
            }
        }
        return tokens;
    }

    public boolean requiresToken() {
        return !token.isEmpty() || !tokens.isEmpty();
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

    /** Never prints a token. */
    @Override
    public String toString() {
        return "AdminConfig[listen=" + listen + ", token=" + (token.isEmpty() ? "none" : "****")
                + (tokens.isEmpty() ? "" : ", tokens=" + tokens.stream().map(NamedToken::name).toList())
                + (metricsWithoutToken ? ", metricsWithoutToken" : "") + ", maxBodySize=" + maxBodySize + "]";
    }
}
