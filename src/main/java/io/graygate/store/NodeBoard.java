package io.graygate.store;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Where the nodes sharing a store tell each other they are alive and what they served: each posts a heartbeat that
 * lapses after a few seconds unless renewed, and its per-second traffic samples per route. {@link #ALONE} stands in
 * for a store no other node shares (the file store). Reads block (call none on an event loop); posts never wait.
 */
public interface NodeBoard {

    /** A board for one node alone: nothing is posted, and no other node is ever seen. */
    NodeBoard ALONE = new NodeBoard() {
        @Override
        public boolean shared() {
            return false;
        }

        @Override
        public void post(String node, String heartbeat, Duration ttl, long second, Map<String, String> samples, Duration keep) {
        }

        @Override
        public Map<String, String> heartbeats() {
            return Map.of();
        }

        @Override
        public List<String> samples(String node, String route, long fromSecond, long toSecond) {
            return List.of();
        }

        @Override
        public void leave(String node) {
        }
    };

    /** Whether other nodes may post here. */
    boolean shared();

    /**
     * Posts {@code node}'s heartbeat, kept for {@code ttl}, and its samples of {@code second} by route, kept for
     * {@code keep}; sends without waiting, and a failure is logged, not thrown.
     */
    void post(String node, String heartbeat, Duration ttl, long second, Map<String, String> samples, Duration keep);

    /**
     * The heartbeat of every node whose last one has not lapsed, by node id.
     *
     * @throws StoreUnavailableException when the store cannot be read now
     */
    Map<String, String> heartbeats();

    /**
     * {@code node}'s samples of {@code route} for the seconds {@code fromSecond} to {@code toSecond} (both included);
     * seconds in which it served nothing of the route have none.
     *
     * @throws StoreUnavailableException when the store cannot be read now
     */
    List<String> samples(String node, String route, long fromSecond, long toSecond);

    /** Takes {@code node}'s heartbeat down at once (a node that stops cleanly); best effort. */
    void leave(String node);
}
