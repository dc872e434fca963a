package io.graygate.audit;

import java.time.Instant;

/**
 * One recorded rule change or rollout event: when, who (a token's name, with the CLI's user beside it, e.g.
 * {@code deploy-bot (alice@host)}, or {@code reload}, {@code redis-key:NAME}, {@code rollout}), on which node, on
 * which route, what (one line), and the policy revision before and after (equal when nothing changed in force).
 */
public record AuditEntry(
        Instant time,
        String actor,
        String node,
        String route,
        String change,
        long revisionBefore,
        long revisionAfter) {
}
