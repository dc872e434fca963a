package io.graygate.rules;

import java.time.Instant;

/**
 * What a store reports about itself for /health and {@code graygate status}.
 *
 * @param kind      "file" or "redis"
 * @param connected false while the store cannot be reached (decisions go on from the last snapshot)
 * @param location  where the rules live, with any password masked
 * @param lastSync  when the node last had the store's rules in full, or null if never
 */
public record StoreStatus(String kind, boolean connected, String location, Instant lastSync, String detail) {
}
