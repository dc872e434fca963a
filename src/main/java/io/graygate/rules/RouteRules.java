package io.graygate.rules;

import io.graygate.routing.IpSet;
import io.graygate.routing.Mode;

import java.util.Objects;

/**
 * The runtime rules of one route, the part that changes without a restart and lives in the rule store:
 * mode, the mode to roll back to, the whitelist, a version that every change increments, and the entries read
 * from the route's {@code whitelistKey} ({@link KeyWhitelist#NONE} when it has none).
 */
public record RouteRules(Mode mode, Mode previousMode, IpSet whitelist, long version, KeyWhitelist keyWhitelist) {

    public RouteRules {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(whitelist, "whitelist");
        if (keyWhitelist == null) keyWhitelist = KeyWhitelist.NONE;
    }

    public RouteRules(Mode mode, Mode previousMode, IpSet whitelist, long version) {
        this(mode, previousMode, whitelist, version, KeyWhitelist.NONE);
    }

    public static RouteRules initial(Mode mode, IpSet whitelist) {
        return new RouteRules(mode, null, whitelist, 1);
    }

    RouteRules next(Mode mode, Mode previousMode, IpSet whitelist) {
        return new RouteRules(mode, previousMode, whitelist, version + 1, keyWhitelist);
    }

    public RouteRules withKeyWhitelist(KeyWhitelist k) {
        return new RouteRules(mode, previousMode, whitelist, version, k);
    }

    /**
     * True when these rules are later than {@code other}: a higher version, or the same version with entries read
     * more recently from the whitelist key (a plain {@code redis-cli} change to that key bumps no version).
     */
    public boolean isNewerThan(RouteRules other) {
        if (version != other.version) return version > other.version;
        return keyWhitelist.revision() > other.keyWhitelist.revision();
    }
}
