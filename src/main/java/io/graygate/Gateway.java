package io.graygate;

import io.graygate.admin.AdminServer;
import io.graygate.admin.MetricsEndpoint;
import io.graygate.stats.LiveStats;
import io.graygate.stats.StatsQuery;
import io.graygate.stats.TrafficMeters;
import io.graygate.audit.AuditLog;
import io.graygate.audit.AuditLogs;
import io.graygate.audit.QueuedAuditLog;
import io.graygate.config.ConfigException;
import io.graygate.config.GatewayConfig;
import io.graygate.config.ProxyConfig;
import io.graygate.config.ReloadReport;
import io.graygate.config.RouteConfig;
import io.graygate.proxy.ProxyServer;
import io.graygate.proxy.TlsReload;
import io.graygate.rollout.Notifier;
import io.graygate.rollout.RolloutController;
import io.graygate.rules.RuleBook;
import io.graygate.store.RuleStores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * One graygate node: the rule book (store plus compiled snapshot), the proxy listener and the admin listener.
 * {@link #close()} stops accepting, drains in-flight requests, closes the store, then the event loops; twice is harmless.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig config;
    private final Supplier<GatewayConfig> reloadSource;
    private final RuleBook rules;
    private final ProxyServer proxy;
    private final AdminServer admin;
    private final LiveStats stats;
    private final QueuedAuditLog audit;
    private final NodeIdentity node;
    private final RolloutController rollouts;
    private boolean closed;

    private Gateway(GatewayConfig config, Supplier<GatewayConfig> reloadSource, RuleBook rules, ProxyServer proxy, AdminServer admin,
                    LiveStats stats, QueuedAuditLog audit, NodeIdentity node, RolloutController rollouts) {
        this.config = config;
        this.audit = audit;
        this.node = node;
        this.reloadSource = reloadSource;
        this.rules = rules;
        this.proxy = proxy;
        this.admin = admin;
        this.stats = stats;
        this.rollouts = rollouts;
    }

    /** Opens the store, binds both listeners and returns the running gateway; on any failure releases what it took. */
    public static Gateway start(GatewayConfig config) {
        return start(config, Set.of());
    }

    /** As {@link #start(GatewayConfig)}, putting the configuration's rules of the {@code reseed} routes back in force. */
    public static Gateway start(GatewayConfig config, Set<String> reseed) {
        return start(config, reseed, () -> {
            throw new ConfigException("this gateway has no configuration file to reload");
        });
    }

    /**
     * As {@link #start(GatewayConfig, Set)}; {@code reloadSource} reads the configuration file again for
     * {@link #reload()} and throws {@link ConfigException} for a bad one.
     */
    public static Gateway start(GatewayConfig config, Set<String> reseed, Supplier<GatewayConfig> reloadSource) {
        AtomicReference<Gateway> self = new AtomicReference<>();
        // One row of counters per event loop: the proxy's loops are numbered as the meters' rows.
        TrafficMeters meters = new TrafficMeters(config.proxy().effectiveIoThreads());
        NodeIdentity node = NodeIdentity.forConfig(config);
        QueuedAuditLog audit = AuditLogs.forConfig(config);
        RuleBook rules;
        try {
            rules = new RuleBook(config, RuleStores.forConfig(config), audit, node.id(), meters);
        } catch (RuntimeException e) {
            audit.close();
            throw e;
        }
        ProxyServer proxy = null;
        AdminServer admin = null;
        LiveStats stats = null;
        RolloutController rollouts = null;
        try {
            rules.open(reseed);
            proxy = new ProxyServer(config, rules::snapshot).start();
            stats = new LiveStats(meters, rules::snapshot, rules.store().nodeBoard());
            ProxyServer p = proxy;
            MetricsEndpoint metrics = new MetricsEndpoint(meters, rules::snapshot, p::servers, p::activeConnections, () -> rules.store().status());
            rollouts = new RolloutController(rules, RuleStores.rolloutRecords(config.store()), stats, audit, new Notifier(), node.id()).start();
            admin = new AdminServer(config, rules, () -> self.get().reload(), stats, metrics, rollouts).start();
            // HOST:ADMINPORT with the port bound: the audit log's node id where the port is configured, and unique even when it is chosen at start.
            stats.start(NodeIdentity.hostName() + ":" + admin.address().getPort(), admin.address().getHostString() + ":" + admin.address().getPort(),
                    proxy.urls());
        } catch (RuntimeException e) {
            if (admin != null) admin.close();
            if (rollouts != null) rollouts.close();
            if (proxy != null) proxy.close();
            if (stats != null) stats.close();
            rules.close();
            audit.close();
            throw e;
        }
        Gateway g = new Gateway(config, reloadSource, rules, proxy, admin, stats, audit, node, rollouts);
        self.set(g);
        int routes = config.routes().size();
        log.info("graygate listening on {} (admin {}), store {}, {} route{}, node {}, audit log {}", String.join(", ", proxy.urls()),
                admin.address(), config.redactedStore(), routes, routes == 1 ? "" : "s", node, audit.describe());
        return g;
    }

    /** The live per-version figures (this node's, or the cluster's on a shared store), for whoever decides from them. */
    public StatsQuery stats() {
        return stats;
    }

    /** This node's id on the shared store and the live nodes, as {@code GET /api/nodes} shows them. */
    public LiveStats liveStats() {
        return stats;
    }

    public InetSocketAddress address() {
        return proxy.address();
    }

    /** Every proxy listener as a URL ({@code http://HOST:PORT}, {@code https://HOST:PORT}), in configuration order. */
    public List<String> proxyUrls() {
        return proxy.urls();
    }

    /**
     * Re-reads the certificate files of every TLS listener (SIGHUP; they are watched for changes too). Throws a
     * {@link io.graygate.config.ConfigException} naming the bad file, keeping the certificates in force; returns
     * how many listeners changed.
     */
    public int reloadCertificates() {
        return proxy.reloadCertificates();
    }

    public InetSocketAddress adminAddress() {
        return admin.address();
    }

    public int port() {
        return proxy.address().getPort();
    }

    public int adminPort() {
        return admin.address().getPort();
    }

    public RuleBook rules() {
        return rules;
    }

    public RolloutController rollouts() {
        return rollouts;
    }

    /** Where rule changes are recorded; what the rollout controller records its steps in too. */
    public AuditLog audit() {
        return audit;
    }

    /** This node's id in audit entries (and the node list). */
    public NodeIdentity node() {
        return node;
    }

    /** The configuration in force: the one it started with, or the latest reload. */
    public GatewayConfig config() {
        return rules.config();
    }

    /**
     * Reads the configuration file again and puts it in force whole: routes, upstream groups, client-IP trust, the
     * proxy settings that can change live, and the TLS listeners' certificates, protocols and ciphers (the files re-read
     * even when their paths stayed); a listener added, moved or removed, the store and the settings fixed at start are
     * reported in {@link ReloadReport#needRestart()}. A bad file or certificate is refused whole (the
     * {@link ConfigException} names the path of the bad value) and the configuration in force stays. Blocks on the
     * store and on DNS: never call it on an event loop.
     */
    public synchronized ReloadReport reload() {
        GatewayConfig before = rules.config();
        GatewayConfig next;
        try {
            next = reloadSource.get();
            refuseWhatTakesARestart(before, next);
        } catch (ConfigException e) {
            log.warn("config reload refused, the configuration in force stays: {}", e.getMessage());
            throw e;
        }
        ProxyServer.ServerChanges servers;
        TlsReload tls;
        try {
            tls = proxy.prepareTls(next); // every certificate loaded before anything changes
            servers = proxy.reconfigure(next, () -> rules.reconfigure(next));
        } catch (RuntimeException e) {
            log.warn("config reload refused, the configuration in force stays: {}", e.getMessage());
            throw e;
        }
        List<String> certificates = tls.apply();
        ReloadReport report = new ReloadReport(
                missing(names(next), names(before)), missing(names(before), names(next)),
                missing(next.upstreams().keySet(), before.upstreams().keySet()), missing(before.upstreams().keySet(), next.upstreams().keySet()),
                servers.added(), servers.removed(), certificates, needRestart(before, next, tls));
        log.info("config reloaded: {}", report.summary());
        return report;
    }

    private static List<String> names(GatewayConfig c) {
        return c.routes().stream().map(RouteConfig::name).toList();
    }

    private static List<String> missing(Collection<String> from, Collection<String> in) {
        return from.stream().filter(n -> !in.contains(n)).sorted().toList();
    }

    /** IP sets read from Redis keys are watched by the Redis store from its start, so a change to them is refused rather than half applied. */
    private static void refuseWhatTakesARestart(GatewayConfig before, GatewayConfig next) {
        for (int i = 0; i < next.routes().size(); i++) {
            RouteConfig r = next.routes().get(i);
            RouteConfig old = before.route(r.name());
            Map<String, String> was = old == null ? Map.of() : old.keyedSets();
            if (!was.equals(r.keyedSets())) {
                throw new ConfigException("routes[" + i + "]: a new or changed IP set read from a Redis key (whitelistKey, ipSets ... key) "
                        + "takes a restart (was " + (was.isEmpty() ? "none" : was) + ", now " + (r.keyedSets().isEmpty() ? "none" : r.keyedSets()) + ")");
            }
        }
        for (RouteConfig old : before.routes()) {
            if (!old.keyedSets().isEmpty() && next.route(old.name()) == null) {
                throw new ConfigException("routes: removing route " + old.name() + ", which reads IP sets from Redis keys, takes a restart");
            }
        }
    }

    /**
     * Settings a reload cannot apply: a listener added, moved, removed or switched between plain and TLS, the store,
     * and what the event loops and pools were built with.
     */
    private static List<String> needRestart(GatewayConfig before, GatewayConfig next, TlsReload tls) {
        List<String> out = new ArrayList<>();
        if (!tls.needRestart().isEmpty()) out.add("listen");
        if (!before.admin().listen().equals(next.admin().listen())) out.add("admin.listen");
        if (!before.admin().token().equals(next.admin().token())) out.add("admin.token");
        if (before.admin().metricsWithoutToken() != next.admin().metricsWithoutToken()) out.add("admin.metricsWithoutToken");
        if (!before.admin().tokens().equals(next.admin().tokens())) out.add("admin.tokens");
        if (before.admin().maxBodySize() != next.admin().maxBodySize()) out.add("admin.maxBodySize");
        if (!before.audit().equals(next.audit())) out.add("audit");
        if (!before.store().equals(next.store())) out.add("store");
        ProxyConfig a = before.proxy(), b = next.proxy();
        if (!a.connectTimeout().equals(b.connectTimeout())) out.add("proxy.connectTimeout");
        if (!a.upstreamIdleTimeout().equals(b.upstreamIdleTimeout())) out.add("proxy.upstreamIdleTimeout");
        if (a.maxIdlePerServer() != b.maxIdlePerServer()) out.add("proxy.maxIdlePerServer");
        if (!a.drainTimeout().equals(b.drainTimeout())) out.add("proxy.drainTimeout");
        if (a.ioThreads() != b.ioThreads()) out.add("proxy.ioThreads");
        if (!a.transport().equals(b.transport())) out.add("proxy.transport");
        if (a.accessLog() != b.accessLog()) out.add("proxy.accessLog");
        if (!a.accessLogFormat().equals(b.accessLogFormat())) out.add("proxy.accessLogFormat");
        if (a.maxHeaderSize() != b.maxHeaderSize()) out.add("proxy.maxHeaderSize");
        return out;
    }


    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        log.info("graygate stopping: draining in-flight requests (at most {} ms)", config.proxy().drainTimeout().toMillis());
        proxy.close();
        admin.close();
        rollouts.close();
        stats.close();
        rules.close();
        audit.close();
        log.info("graygate stopped");
    }
}
