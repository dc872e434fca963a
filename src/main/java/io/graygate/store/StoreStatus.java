package io.graygate.store;

import java.time.Duration;
import java.time.Instant;

/**
 * What a store reports about itself for /health and {@code graygate status}.
 *
 * @param kind          "file" or "redis"
 * @param connected     false while the store cannot be reached (decisions go on from the last snapshot)
 * @param location      where the rules live, with any password masked
 * @param lastSync      when the node last had the store's rules in full, or null if never
 * @param detail        "ok", or what is wrong in a sentence
 * @param rulesFrom     where the rules in force came from: "file", "redis", "disk snapshot PATH" or "configuration"
 * @param syncAgeMillis milliseconds since {@code lastSync}, or -1 if never
 */
public record StoreStatus(String kind, boolean connected, String location, Instant lastSync, String detail,
                          String rulesFrom, long syncAgeMillis) {

    public StoreStatus(String kind, boolean connected, String location, Instant lastSync, String detail) {
        this(kind, connected, location, lastSync, detail, kind, ageOf(lastSync));
    }

    public static long ageOf(Instant lastSync) {
        return lastSync == null ? -1 : Math.max(0, Duration.between(lastSync, Instant.now()).toMillis());
    }
}
