package io.graygate.proxy;

import io.graygate.config.ServerConfig;
import io.graygate.config.UpstreamConfig;
import io.graygate.routing.PathPrefix;
import io.netty.handler.ssl.SslContext;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * A named group of upstream servers that a decision names. It picks a server by smooth weighted round-robin (nginx's
 * algorithm: over a cycle each server gets its share of requests, spread out rather than in runs), skipping servers
 * that are out, each event loop with its own weights so no lock is taken. Its members change whole, when a name
 * resolves to other addresses: a new {@link Members} is swapped in, with fresh per-loop weights. It also keeps when its
 * names are due to be resolved again, for {@link NameFollower}.
 */
final class UpstreamGroup {

    private final String name;
    private final UpstreamConfig config;
    private final int loops;
    private final PathPrefix pathPrefix;
    private final SslContext tls;
    private final boolean hasNames;
    private volatile Members members;
    /** Written by the thread that resolves (start, reload, then {@link NameFollower}'s). */
    private volatile long resolveDueNanos;
    private volatile boolean resolveFailing;

    UpstreamGroup(String name, UpstreamConfig config, int loops, SslContext tls) {
        this.name = name;
        this.config = config;
        this.loops = loops;
        this.tls = tls;
        this.pathPrefix = PathPrefix.of(config.pathPrefix());
        this.hasNames = config.servers().stream().anyMatch(sc -> !sc.address().isLiteral());
        this.members = new Members(new UpstreamServer[0], loops);
    }

    /** A server of this group for one address of {@code server}'s host. */
    UpstreamServer newServer(ServerConfig server, InetSocketAddress address) {
        return new UpstreamServer(name, server.address(), address, server.weight(), config.maxFails(server),
                config.failTimeout(server).toNanos(), server.address().tls() ? tls : null, config.tls().verify());
    }

    /** Whether any server is configured by host name, and the group follows names ({@code resolve.interval} not off). */
    boolean followsNames() {
        return hasNames && config.resolve().follows();
    }

    /** Notes a resolution at {@code now}: the next is due after the interval, or the answer's TTL when shorter (1 s at least). */
    void resolvedAt(long now, Duration ttl) {
        Duration wait = config.resolve().interval();
        if (ttl != null && ttl.compareTo(wait) < 0) wait = ttl.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : ttl;
        resolveDueNanos = now + wait.toNanos();
    }

    /** Notes a failed resolution: the addresses stay; the next try is due in the interval or 5 s, whichever is less. */
    void resolveFailedAt(long now) {
        Duration wait = config.resolve().interval();
        if (wait.compareTo(Duration.ofSeconds(5)) > 0) wait = Duration.ofSeconds(5);
        resolveDueNanos = now + wait.toNanos();
    }

    boolean resolveDue(long now) {
        return now - resolveDueNanos >= 0;
    }

    /** Sets whether re-resolving fails, returning what it was (so a failure and a recovery are each logged once). */
    boolean resolveFailing(boolean failing) {
        boolean was = resolveFailing;
        resolveFailing = failing;
        return was;
    }

    String name() {
        return name;
    }

    UpstreamConfig config() {
        return config;
    }

    /** The path prefix put before every request's path, or {@link PathPrefix#NONE}. */
    PathPrefix pathPrefix() {
        return pathPrefix;
    }

    UpstreamServer[] servers() {
        return members.servers;
    }

    /** Every try a request may make here: one per server (nginx's default for {@code proxy_next_upstream_tries}). */
    int size() {
        return members.servers.length;
    }

    void replaceServers(List<UpstreamServer> servers) {
        members = new Members(servers.toArray(new UpstreamServer[0]), loops);
    }

    /**
     * The next server for a request on event loop {@code loop}, leaving out the {@code triedCount} servers in
     * {@code tried}: a server that is up, or one due for its probe; when every server is out, any of them, so that
     * the gateway never causes an outage of its own; null when every server was tried.
     */
    UpstreamServer choose(int loop, UpstreamServer[] tried, int triedCount) {
        Members m = members;
        long now = System.nanoTime();
        // A server due for its probe gains weight like the others, so its turn comes.
        int best = m.pick(loop, Members.UP_OR_PROBE, tried, triedCount, now);
        if (best >= 0 && (m.servers[best].health().isUp() || m.servers[best].health().claimProbe(now))) {
            return m.take(loop, Members.UP_OR_PROBE, tried, triedCount, now, best);
        }
        // Its probe went to another event loop first: this request goes to a server that is up.
        if (best >= 0) best = m.pick(loop, Members.UP, tried, triedCount, now);
        if (best >= 0) return m.take(loop, Members.UP, tried, triedCount, now, best);
        best = m.pick(loop, Members.ANY, tried, triedCount, now);
        return best < 0 ? null : m.take(loop, Members.ANY, tried, triedCount, now, best);
    }

    /** The servers of a group at one moment, and each event loop's current weights for them. */
    private static final class Members {
        static final int UP = 0;
        static final int UP_OR_PROBE = 1;
        static final int ANY = 2;

        final UpstreamServer[] servers;
        /** current[loop][i]: written by that loop only. */
        final int[][] current;

        Members(UpstreamServer[] servers, int loops) {
            this.servers = servers;
            this.current = new int[loops][servers.length];
        }

        private boolean eligible(int i, int mode, UpstreamServer[] tried, int triedCount, long now) {
            UpstreamServer s = servers[i];
            for (int t = 0; t < triedCount; t++) if (tried[t] == s) return false;
            ServerHealth h = s.health();
            return switch (mode) {
                case UP -> h.isUp();
                case UP_OR_PROBE -> h.isUp() || h.isProbeDue(now);
                default -> true;
            };
        }

        /** The index smooth weighted round-robin picks among the eligible servers, without changing any weight; -1 if none. */
        int pick(int loop, int mode, UpstreamServer[] tried, int triedCount, long now) {
            int[] cur = current[loop];
            int best = -1;
            int bestWeight = 0;
            for (int i = 0; i < servers.length; i++) {
                if (!eligible(i, mode, tried, triedCount, now)) continue;
                int w = cur[i] + servers[i].weight();
                if (best < 0 || w > bestWeight) {
                    best = i;
                    bestWeight = w;
                }
            }
            return best;
        }

        /** Commits the pick: every eligible server gains its weight, the chosen one gives up the total. */
        UpstreamServer take(int loop, int mode, UpstreamServer[] tried, int triedCount, long now, int chosen) {
            int[] cur = current[loop];
            int total = 0;
            for (int i = 0; i < servers.length; i++) {
                if (i != chosen && !eligible(i, mode, tried, triedCount, now)) continue;
                cur[i] += servers[i].weight();
                total += servers[i].weight();
            }
            cur[chosen] -= total;
            return servers[chosen];
        }
    }
}
