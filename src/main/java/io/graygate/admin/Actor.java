package io.graygate.admin;

import io.graygate.config.AdminConfig;

/**
 * Who a change is recorded as made by: the name of the token it came with ({@code admin} for {@code admin.token} or
 * when no token is configured), with what the caller says of itself in {@code X-Graygate-Actor} (the CLI sends
 * user@host) beside it, never instead of it: {@code deploy-bot (alice@host)}.
 */
final class Actor {

    static final String HEADER = "x-graygate-actor";
    static final int MAX_SAID = 64;

    private Actor() {
    }

    /** @param token the token's holder, or null when no token is configured */
    static String of(String token, String said) {
        String who = token == null ? AdminConfig.ADMIN_ACTOR : token;
        String clean = sanitize(said);
        return clean.isEmpty() ? who : who + " (" + clean + ")";
    }

    /** Printable ASCII only (anything else becomes '?'), spaces collapsed, at most {@value #MAX_SAID} characters. */
    static String sanitize(String said) {
        if (said == null) return "";
        StringBuilder out = new StringBuilder(Math.min(said.length(), MAX_SAID));
        for (int i = 0; i < said.length() && out.length() < MAX_SAID; i++) {
            char c = said.charAt(i);
            if (c == ' ' || c == '\t') {
                if (out.length() > 0 && out.charAt(out.length() - 1) != ' ') out.append(' ');
            } else {
                out.append(c > ' ' && c < 0x7f && c != '(' && c != ')' ? c : '?');
            }
        }
        return out.toString().strip();
    }
}
