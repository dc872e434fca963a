package io.graygate.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Checks an Authorization header against the configured admin token without leaking, through timing, how much of it matched. */
final class BearerToken {

    private static final String SCHEME = "Bearer ";

    private final byte[] expectedDigest;

    BearerToken(String token) {
        this.expectedDigest = sha256(token);
    }

    /** True when the header is "Bearer &lt;token&gt;" with exactly the configured token. */
    boolean accepts(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) return false;
        String given = authorization.substring(SCHEME.length()).strip();
        // Comparing digests rather than the raw strings also hides the token's length.
        return MessageDigest.isEqual(expectedDigest, sha256(given));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
