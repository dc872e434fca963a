package io.graygate.proxy;

import io.graygate.config.ConfigException;
import io.graygate.config.HostPort;
import io.graygate.config.UpstreamConfig;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A named group of upstream servers that a decision names; each event loop takes its servers in turn (round-robin). */
final class UpstreamGroup {

    private final int id;
    private final UpstreamServer[] servers;

    private UpstreamGroup(int id, UpstreamServer[] servers) {
        this.id = id;
        this.servers = servers;
    }

    /** Index among all groups; each pool keeps its round-robin position in an array by it. */
    int id() {
        return id;
    }

    UpstreamServer server(int turn) {
        return servers[Math.floorMod(turn, servers.length)];
    }

    /**
     * Builds every configured group, resolving each server's host now: a name that does not resolve fails the start,
     * naming the configuration path.
     */
    static Map<String, UpstreamGroup> resolveAll(Map<String, UpstreamConfig> upstreams) {
        Map<String, UpstreamGroup> groups = new HashMap<>();
        int serverId = 0;
        for (Map.Entry<String, UpstreamConfig> e : upstreams.entrySet()) {
            List<HostPort> configured = e.getValue().servers();
            UpstreamServer[] servers = new UpstreamServer[configured.size()];
            for (int i = 0; i < servers.length; i++) {
                HostPort hp = configured.get(i);
                InetSocketAddress address = new InetSocketAddress(hp.host(), hp.port());
                if (address.isUnresolved()) {
                    throw new ConfigException("upstreams." + e.getKey() + ".servers[" + i + "]: cannot resolve host \"" + hp.host() + "\"");
                }
                servers[i] = new UpstreamServer(serverId++, e.getKey(), hp, address);
            }
            groups.put(e.getKey(), new UpstreamGroup(groups.size(), servers));
        }
        return Map.copyOf(groups);
    }

    static int serverCount(Map<String, UpstreamGroup> groups) {
        int n = 0;
        for (UpstreamGroup g : groups.values()) n += g.servers.length;
        return n;
    }
}
