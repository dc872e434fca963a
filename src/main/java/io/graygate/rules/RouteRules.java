package io.graygate.rules;

import io.graygate.routing.IpSet;
import io.graygate.routing.Mode;

import java.util.Objects;

/**
 * The runtime rules of one route, the part that changes without a restart and lives in the rule store:
 * mode, the mode to roll back to, the whitelist, and a version that every change increments.
 */
public record RouteRules(Mode mode, Mode previousMode, IpSet whitelist, long version) {

    public RouteRules {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(whitelist, "whitelist");
    }

    public static RouteRules initial(Mode mode, IpSet whitelist) {
        return new RouteRules(mode, null, whitelist, 1);
    }

    RouteRules next(Mode mode, Mode previousMode, IpSet whitelist) {
        return new RouteRules(mode, previousMode, whitelist, version + 1);
    }
}
