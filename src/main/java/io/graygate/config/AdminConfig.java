package io.graygate.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The admin API listener. {@code token}, when non-empty, is accepted as "Authorization: Bearer &lt;token&gt;" and
 * its holder recorded as the actor {@code admin}; each of {@code tokens} likewise, recorded under its own name.
 * With neither, every caller is let in. {@code /metrics} needs a token too unless {@code metricsWithoutToken}.
 */
public record AdminConfig(HostPort listen, String token, List<NamedToken> tokens, boolean metricsWithoutToken) {

    public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 9090);
    /** The actor of the single {@code admin.token} (and of every call when no token is configured). */
    public static final String ADMIN_ACTOR = "admin";

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
                       @JsonProperty("metricsWithoutToken") Boolean metricsWithoutToken) {
        this(listen == null ? DEFAULT_LISTEN : listen, token == null || token.isBlank() ? "" : token, tokens,
                metricsWithoutToken != null && metricsWithoutToken);
    }

    public AdminConfig {
        java.util.Objects.requireNonNull(listen, "listen");
        java.util.Objects.requireNonNull(token, "token");
        tokens = tokens == null ? List.of() : List.copyOf(check(tokens, token));
    }

    public AdminConfig(HostPort listen, String token, List<NamedToken> tokens) {
        this(listen, token, tokens, (Boolean) null);
    }

    public AdminConfig(HostPort listen, String token) {
        this(listen, token, null, (Boolean) null);
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

    /** Never prints a token. */
    @Override
    public String toString() {
        return "AdminConfig[listen=" + listen + ", token=" + (token.isEmpty() ? "none" : "****")
                + (tokens.isEmpty() ? "" : ", tokens=" + tokens.stream().map(NamedToken::name).toList())
                + (metricsWithoutToken ? ", metricsWithoutToken" : "") + "]";
    }
}
