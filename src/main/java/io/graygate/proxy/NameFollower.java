package io.graygate.proxy;

import io.graygate.config.ServerConfig;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import java.util.function.Supplier;

/**
 * Follows the host names of upstream servers: on a thread of its own, never on an event loop, each group whose names
 * are due (every {@code resolve.interval}, sooner for a shorter TTL) is resolved again; when the addresses changed,
 * the group's servers are swapped whole (an address that stayed keeps its server, health and pooled connections;
 * one that left is retired). A failed re-resolution keeps the last addresses; it and the recovery are logged once.
 */
final class NameFollower implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NameFollower.class);
    private static final long TICK_MILLIS = 100;

    private final Supplier<UpstreamSet> upstreams;
    private final HostNames names;
    private final BiPredicate<UpstreamGroup, List<UpstreamServer>> apply;
    private final ScheduledExecutorService thread =
            Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("graygate-dns-follow", true));

    /**
     * @param apply puts a group's new servers in force if the group is still the one in force, returning whether it did
     */
    NameFollower(Supplier<UpstreamSet> upstreams, HostNames names, BiPredicate<UpstreamGroup, List<UpstreamServer>> apply) {
        this.upstreams = upstreams;
        this.names = names;
        this.apply = apply;
        thread.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            for (UpstreamGroup g : upstreams.get().groups().values()) {
                if (g.followsNames() && g.resolveDue(System.nanoTime())) follow(g);
            }
        } catch (RuntimeException e) {
            log.warn("following upstream host names failed: {}", e.toString());
        }
    }

    private void follow(UpstreamGroup group) {
        Map<String, HostNames.Answer> answers = new HashMap<>();
        Duration shortestTtl = null;
        for (ServerConfig sc : group.config().servers()) {
            String host = sc.address().host();
            if (sc.address().isLiteral() || answers.containsKey(host)) continue;
            try {
                HostNames.Answer a = names.resolve(host, group.config().resolve());
                answers.put(host, a);
                if (a.ttl() != null && (shortestTtl == null || a.ttl().compareTo(shortestTtl) < 0)) shortestTtl = a.ttl();
            } catch (UnknownHostException e) {
                group.resolveFailedAt(System.nanoTime());
                if (!group.resolveFailing(true)) {
                    log.warn("upstream \"{}\": cannot re-resolve {} ({}); keeping {}", group.name(), host, e.getMessage(),
                            describe(List.of(group.servers())));
                }
                return;
            }
        }
        if (group.resolveFailing(false)) log.info("upstream \"{}\": its host names resolve again", group.name());
        List<UpstreamServer> current = List.of(group.servers());
        List<UpstreamServer> next = serversFor(group, current, answers);
        group.resolvedAt(System.nanoTime(), shortestTtl);
        if (sameAddresses(current, next)) return;
        if (apply.test(group, next)) {
            log.info("upstream \"{}\": host names now resolve to {} (was {})", group.name(), describe(next), describe(current));
        }
    }

    /** The group's servers for the new answers, in configuration order, reusing each server whose address stayed. */
    private static List<UpstreamServer> serversFor(UpstreamGroup group, List<UpstreamServer> current, Map<String, HostNames.Answer> answers) {
        List<UpstreamServer> next = new ArrayList<>();
        for (ServerConfig sc : group.config().servers()) {
            if (sc.address().isLiteral()) {
                current.stream().filter(s -> s.configured().equals(sc.address()) && s.weight() == sc.weight()).findFirst()
                        .ifPresentOrElse(next::add, () -> next.add(group.newServer(sc, new InetSocketAddress(sc.address().host(), sc.address().port()))));
                continue;
            }
            for (InetAddress a : answers.get(sc.address().host()).addresses()) {
                InetSocketAddress at = new InetSocketAddress(a, sc.address().port());
                UpstreamServer kept = null;
                for (UpstreamServer s : current) {
                    if (s.configured().equals(sc.address()) && s.weight() == sc.weight() && s.address().equals(at) && !next.contains(s)) kept = s;
                }
                next.add(kept != null ? kept : group.newServer(sc, at));
            }
        }
        return next;
    }

    private static boolean sameAddresses(List<UpstreamServer> a, List<UpstreamServer> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) if (a.get(i) != b.get(i)) return false;
        return true;
    }

    private static String describe(List<UpstreamServer> servers) {
        return String.join(", ", servers.stream().map(UpstreamServer::toString).toList());
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
