package io.graygate.stats;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One gateway node as its heartbeat shows it: its id, its admin address, its proxy listeners, the graygate version it
 * runs, the policy revision in force on each route, and when it last said so.
 */
public record NodeInfo(String id, String address, List<String> listeners, String graygateVersion, Map<String, Long> revisions,
                       Instant lastHeartbeat, boolean self) {

    public NodeInfo {
        listeners = List.copyOf(listeners);
        revisions = Map.copyOf(revisions);
    }
}
