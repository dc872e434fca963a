package io.graygate.testing;

import io.graygate.policy.Condition;
import io.graygate.policy.Policy;
import io.graygate.policy.PolicyRule;
import io.graygate.routing.ip.IpSet;
import io.graygate.store.HistoryEntry;
import io.graygate.store.RouteState;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Route states for tests that seed a store directly. */
public final class States {

    private States() {
    }

    /** The first release's shape: versions production and gray, the rule "whitelist" on the set of that name. */
    public static Policy legacyPolicy() {
        return new Policy("production", null, List.of(new PolicyRule.Match("whitelist", new Condition.ClientIpInSet("whitelist"), "gray")));
    }

    /** A legacy route at revision 1 whose whitelist holds {@code whitelist}. */
    public static RouteState legacy(IpSet whitelist) {
        Policy p = legacyPolicy();
        return new RouteState(1, p, Map.of("whitelist", whitelist),
                List.of(new HistoryEntry(1, Instant.now(), "test", "seeded by the test", p, null)), Map.of());
    }
}
