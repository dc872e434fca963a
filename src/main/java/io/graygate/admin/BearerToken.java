package io.graygate.admin;

import io.graygate.config.AdminConfig;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks an Authorization header against the configured admin tokens ({@code admin.token}, held by {@code admin}, and
 * the named {@code admin.tokens}) without leaking, through timing, how much of one matched; says whose it was.
 */
final class BearerToken {

    private static final String SCHEME = "Bearer ";

    private record Holder(String name, byte[] digest) {
    }

    private final List<Holder> holders;

    BearerToken(String token) {
        this(List.of(new AdminConfig.NamedToken(AdminConfig.ADMIN_ACTOR, token)));
    }

    private BearerToken(List<AdminConfig.NamedToken> tokens) {
        List<Holder> h = new ArrayList<>();
        for (AdminConfig.NamedToken t : tokens) h.add(new Holder(t.name(), sha256(t.token())));
        this.holders = List.copyOf(h);
    }

    /** The tokens of {@code admin}, or null when none is configured (every caller is let in, as {@code admin}). */
    static BearerToken forConfig(AdminConfig admin) {
        if (!admin.requiresToken()) return null;
        List<AdminConfig.NamedToken> all = new ArrayList<>();
        if (!admin.token().isEmpty()) all.add(new AdminConfig.NamedToken(AdminConfig.ADMIN_ACTOR, admin.token()));
        all.addAll(admin.tokens());
        return new BearerToken(all);
    }

    /** True when the header is "Bearer &lt;token&gt;" with exactly one of the configured tokens. */
    boolean accepts(String authorization) {
        return holder(authorization) != null;
    }

    /** The name of the token the header carries, or null when it carries none of them. */
    String holder(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) return null;
        // Comparing digests rather than the raw strings also hides the token's length; every one is compared.
        byte[] given = sha256(authorization.substring(SCHEME.length()).strip());
        String found = null;
        for (Holder h : holders) if (MessageDigest.isEqual(h.digest(), given) && found == null) found = h.name();
        return found;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
