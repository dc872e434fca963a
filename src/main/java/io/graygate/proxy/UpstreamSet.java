package io.graygate.proxy;

import io.graygate.config.ConfigException;
import io.graygate.config.ServerConfig;
import io.graygate.config.UpstreamConfig;
import io.graygate.config.UpstreamTlsConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;

import javax.net.ssl.SSLException;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every upstream group in force, swapped whole on a reload. Building one resolves the servers' host names (so never
 * build one on an event loop; {@link NameFollower} follows them afterwards) and keeps the servers that did not change, with their health and pooled connections.
 */
final class UpstreamSet {

    static final UpstreamSet EMPTY = new UpstreamSet(Map.of());

    private final Map<String, UpstreamGroup> groups;

    private UpstreamSet(Map<String, UpstreamGroup> groups) {
        this.groups = groups;
    }

    UpstreamGroup group(String name) {
        return groups.get(name);
    }

    Map<String, UpstreamGroup> groups() {
        return groups;
    }

    /**
     * The groups of {@code upstreams}, each host name resolved to all its addresses (one server per address), reusing
     * each server of {@code previous} whose group, address and settings are unchanged; a host that does not resolve
     * is refused, naming the configuration path.
     */
    static UpstreamSet build(Map<String, UpstreamConfig> upstreams, int loops, UpstreamSet previous, HostNames names) {
        Map<String, UpstreamServer> reusable = new HashMap<>();
        for (UpstreamGroup g : previous.groups.values()) {
            for (UpstreamServer s : g.servers()) reusable.put(key(g.name(), g.config(), s), s);
        }
        Map<String, UpstreamGroup> groups = new LinkedHashMap<>();
        for (Map.Entry<String, UpstreamConfig> e : upstreams.entrySet()) {
            UpstreamConfig config = e.getValue();
            SslContext tls = config.servers().stream().anyMatch(sc -> sc.address().tls()) ? clientTls(e.getKey(), config.tls()) : null;
            UpstreamGroup group = new UpstreamGroup(e.getKey(), config, loops, tls);
            List<UpstreamServer> servers = new ArrayList<>();
            Duration shortestTtl = null;
            for (int i = 0; i < config.servers().size(); i++) {
                ServerConfig sc = config.servers().get(i);
                HostNames.Answer answer;
                try {
                    answer = names.resolve(sc.address().host(), config.resolve());
                } catch (UnknownHostException ex) {
                    throw new ConfigException("upstreams." + e.getKey() + ".servers[" + i + "]: cannot resolve host \""
                            + sc.address().host() + "\": " + ex.getMessage().strip());
                }
                if (answer.ttl() != null && (shortestTtl == null || answer.ttl().compareTo(shortestTtl) < 0)) shortestTtl = answer.ttl();
                for (InetAddress a : answer.addresses()) {
                    UpstreamServer fresh = group.newServer(sc, new InetSocketAddress(a, sc.address().port()));
                    UpstreamServer kept = reusable.remove(key(e.getKey(), config, fresh));
                    servers.add(kept != null ? kept : fresh);
                }
            }
            group.replaceServers(servers);
            group.resolvedAt(System.nanoTime(), shortestTtl);
            groups.put(e.getKey(), group);
        }
        return new UpstreamSet(Map.copyOf(groups));
    }

    /** This set with the groups of {@code older} that it lacks, for the moment old routes may still name them. */
    UpstreamSet withGroupsOf(UpstreamSet older) {
        Map<String, UpstreamGroup> merged = new HashMap<>(older.groups);
        merged.putAll(groups);
        return new UpstreamSet(Map.copyOf(merged));
    }

    /** The servers of this set that {@code next} does not have. */
    List<UpstreamServer> serversMissingFrom(UpstreamSet next) {
        Set<UpstreamServer> kept = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (UpstreamGroup g : next.groups.values()) kept.addAll(List.of(g.servers()));
        List<UpstreamServer> gone = new ArrayList<>();
        for (UpstreamGroup g : groups.values()) for (UpstreamServer s : g.servers()) if (!kept.contains(s)) gone.add(s);
        return gone;
    }

    /** The client TLS context of a group: JDK provider, the JVM's trust store unless {@code ca} or {@code verify: false}. */
    private static SslContext clientTls(String group, UpstreamTlsConfig tls) {
        try {
            SslContextBuilder b = SslContextBuilder.forClient().sslProvider(SslProvider.JDK);
            if (!tls.verify()) {
                b.trustManager(InsecureTrustManagerFactory.INSTANCE);
            } else if (tls.ca() != null) {
                b.trustManager(tls.ca().toFile());
            }
            return b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigException("upstreams." + group + ".tls" + (tls.ca() != null ? ".ca" : "") + ": cannot be used: " + e.getMessage());
        }
    }

    private static String key(String group, UpstreamConfig config, UpstreamServer s) {
        return group + " " + s.configured() + " " + s.address() + " w" + s.weight() + " " + s.health().settings() + " " + config.healthCheck() + " " + config.tls();
    }
}
