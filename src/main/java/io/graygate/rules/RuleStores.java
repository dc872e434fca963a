package io.graygate.rules;

import io.graygate.config.GatewayConfig;
import io.graygate.config.RouteConfig;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Opens the store a {@code store:} URI names: {@code file:PATH}, {@code redis://}, {@code rediss://} or {@code redis-sentinel://}. */
public final class RuleStores {

    private RuleStores() {
    }

    /** The store of a configuration, told which routes read a {@code whitelistKey}. */
    public static RuleStore forConfig(GatewayConfig config) {
        Map<String, String> keyByRoute = new LinkedHashMap<>();
        for (RouteConfig r : config.routes()) if (r.whitelistKey() != null) keyByRoute.put(r.name(), r.whitelistKey());
        return open(config.store(), keyByRoute);
    }

    public static RuleStore forUri(String uri) {
        return open(uri, Map.of());
    }

    private static RuleStore open(String uri, Map<String, String> keyByRoute) {
        if (uri.startsWith("file:")) {
            if (!keyByRoute.isEmpty()) {
                throw new IllegalArgumentException("whitelistKey needs a Redis store; routes " + keyByRoute.keySet() + " have one");
            }
            return new FileRuleStore(Path.of(uri.substring("file:".length())));
        }
        if (uri.startsWith("redis://") || uri.startsWith("rediss://") || uri.startsWith("redis-sentinel://")) {
            return new RedisRuleStore(RedisStoreUri.parse(uri), keyByRoute);
        }
        throw new IllegalArgumentException("store: unsupported store \"" + GatewayConfig.redact(uri) + "\"");
    }
}
