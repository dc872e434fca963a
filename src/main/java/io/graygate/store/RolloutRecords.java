package io.graygate.store;

import java.time.Duration;

/**
 * Where the store keeps each route's rollout record (a JSON document it does not read) beside the route's rules, and
 * the lease that lets exactly one node drive a rollout. Every write is a compare-and-set on the record's generation,
 * and a driver's write also checks that it still holds the lease, so a node that lost it can change nothing. Every
 * method may block: call none of them on an event loop.
 */
public interface RolloutRecords extends AutoCloseable {

    /** A record as stored: its generation (one more per write, 0 when there is none) and its JSON. */
    record Stored(long generation, String json) {
    }

    /** What a write did: written, refused because the record moved on, or refused because the lease is not held. */
    enum Outcome {
        WRITTEN, CONFLICT, NOT_HOLDER
    }

    /** The route's record, or null when it has none. @throws StoreUnavailableException when the store cannot be read */
    Stored read(String route);

    /**
     * Writes {@code json} as generation {@code expected + 1} if the record is at {@code expected} and, when
     * {@code holder} is not null, the lease is held by {@code holder}.
     *
     * @throws StoreUnavailableException when the store cannot take the write; then it was made whole or not at all
     */
    Outcome write(String route, long expected, String json, String holder);

    /**
     * Takes the route's lease for {@code node} when nobody holds it, or renews it when {@code node} does; true when
     * {@code node} holds it for {@code ttl} from now.
     *
     * @throws StoreUnavailableException when the store cannot be reached (the caller must stop driving)
     */
    boolean lease(String route, String node, Duration ttl);

    /** Gives the lease up if {@code node} holds it; never throws. */
    void release(String route, String node);

    /** The node holding the route's lease, or null. @throws StoreUnavailableException when the store cannot be read */
    String holder(String route);

    /** True when other nodes share the records (Redis), false for a single node's file. */
    boolean shared();

    @Override
    void close();
}
