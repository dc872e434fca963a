package io.graygate.store;

import io.graygate.config.GatewayConfig;
import io.graygate.config.RouteConfig;
import io.graygate.store.file.FileRolloutRecords;
import io.graygate.store.file.FileRuleStore;
import io.graygate.store.redis.RedisRolloutRecords;
import io.graygate.store.redis.RedisRuleStore;
import io.graygate.store.redis.RedisStoreUri;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Opens the store a {@code store:} URI names: {@code file:PATH}, {@code redis://}, {@code rediss://} or {@code redis-sentinel://}. */
public final class RuleStores {

    private RuleStores() {
    }

    /** The store of a configuration, told its routes and which IP sets they read from Redis keys. */
    public static RuleStore forConfig(GatewayConfig config) {
        Map<String, Map<String, String>> keyed = new LinkedHashMap<>();
        for (RouteConfig r : config.routes()) if (r.readsKeys()) keyed.put(r.name(), r.keyedSets());
        return open(config.store(), config.routes().stream().map(RouteConfig::name).toList(), keyed);
    }

    public static RuleStore forUri(String uri, List<String> routes) {
        return open(uri, routes, Map.of());
    }

    /** Where the rollouts of the store named by {@code uri} are recorded: beside its rules file, or in the same Redis. */
    public static RolloutRecords rolloutRecords(String uri) {
        if (uri.startsWith("file:")) return new FileRolloutRecords(Path.of(uri.substring("file:".length())));
        return new RedisRolloutRecords(RedisStoreUri.parse(uri));
    }

    private static RuleStore open(String uri, List<String> routes, Map<String, Map<String, String>> keyed) {
        if (uri.startsWith("file:")) {
            if (!keyed.isEmpty()) {
                throw new IllegalArgumentException("IP sets read from Redis keys need a Redis store; routes " + keyed.keySet() + " have some");
            }
            return new FileRuleStore(Path.of(uri.substring("file:".length())));
        }
        if (uri.startsWith("redis://") || uri.startsWith("rediss://") || uri.startsWith("redis-sentinel://")) {
            return new RedisRuleStore(RedisStoreUri.parse(uri), routes, keyed);
        }
        throw new IllegalArgumentException("store: unsupported store \"" + GatewayConfig.redact(uri) + "\"");
    }
}
