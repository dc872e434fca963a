package io.graygate.proxy;

import io.graygate.config.ConfigException;
import io.graygate.config.GatewayConfig;
import io.graygate.config.HostPort;
import io.graygate.config.ListenerConfig;
import io.graygate.config.NextUpstream;
import io.graygate.config.ProxyConfig;
import io.graygate.config.RouteConfig;
import io.graygate.routing.ip.ClientIpResolver;
import io.graygate.proxy.tls.CertificateWatcher;
import io.graygate.proxy.tls.ListenerTls;
import io.graygate.proxy.tls.TlsProvider;
import io.graygate.routing.RouteTable;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The client-facing listeners: accept HTTP/1.1, and on TLS listeners HTTP/2 too; decide per request, forward to the
 * chosen upstream.
 */
public final class ProxyServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);
    private static final int ACCESS_LOG_QUEUE = 65536;
    private static final long CERTIFICATE_POLL_MILLIS = 1000;

    private volatile GatewayConfig config;
    private final Supplier<RouteTable> routes;
    private volatile ClientIpResolver clientIps;
    private volatile UpstreamSet upstreams = UpstreamSet.EMPTY;
    private volatile Set<String> stripPrefixRoutes;
    private Map<EventLoop, UpstreamPool> pools = Map.of();
    private Map<EventLoop, LoopCounter> inFlightByLoop = Map.of();
    private Map<EventLoop, LoopChannels> clientsByLoop = Map.of();
    private AccessLog accessLog = AccessLog.off();
    private EventLoopGroup loops;
    private int loopCount;
    private String transportName;
    private HealthChecker healthChecks;
    private final HostNames hostNames = new HostNames();
    private NameFollower nameFollower;
    private List<BoundListener> listeners = List.of();
    private CertificateWatcher certificateWatcher;
    private volatile boolean draining;
    private boolean started;
    private boolean closed;

    public ProxyServer(GatewayConfig config, Supplier<RouteTable> routes) {
        this.config = config;
        this.routes = routes;
        this.clientIps = new ClientIpResolver(config.clientIp().trustedProxySet());
        this.stripPrefixRoutes = stripPrefixRoutes(config);
    }

    private static Set<String> stripPrefixRoutes(GatewayConfig config) {
        Set<String> names = new HashSet<>();
        for (RouteConfig r : config.routes()) if (r.stripPrefix()) names.add(r.name());
        return Set.copyOf(names);
    }

    /**
     * Binds every listener; fails fast when an address is taken or a certificate cannot be loaded. With epoll, each
     * listener is one socket per event loop bound with SO_REUSEPORT: the kernel spreads new connections over the
     * loops, and a connection is served by the loop that accepted it, with no hand-off between threads.
     */
    public synchronized ProxyServer start() {
        if (started) throw new IllegalStateException("the proxy was started already");
        started = true;
        ProxyConfig pc = config.proxy();
        List<ListenerTls> tlsListeners = loadTls();
        Transport transport = Transport.select(pc.transport());
        transportName = transport.name();
        int threads = pc.effectiveIoThreads();
        loopCount = threads;
        upstreams = UpstreamSet.build(config.upstreams(), threads, UpstreamSet.EMPTY, hostNames);
        loops = transport.newGroup(threads, new DefaultThreadFactory("graygate-io"));
        Map<EventLoop, UpstreamPool> byLoop = new IdentityHashMap<>();
        Map<EventLoop, LoopCounter> counters = new IdentityHashMap<>();
        Map<EventLoop, LoopChannels> clients = new IdentityHashMap<>();
        int index = 0;
        for (EventExecutor e : loops) {
            EventLoop loop = (EventLoop) e;
            byLoop.put(loop, new UpstreamPool(loop, index++, transport, pc));
            counters.put(loop, new LoopCounter());
            clients.put(loop, new LoopChannels(loop));
        }
        pools = byLoop;
        inFlightByLoop = counters;
        healthChecks = new HealthChecker(() -> upstreams);
        nameFollower = new NameFollower(() -> upstreams, hostNames, this::followedNames);
        clientsByLoop = clients;
        accessLog = pc.accessLog() ? AccessLog.async(ACCESS_LOG_QUEUE, pc.accessLogJson() ? AccessLog.Format.JSON : AccessLog.Format.TEXT) : AccessLog.off();
        List<BoundListener> bound = new ArrayList<>();
        for (int i = 0; i < config.listeners().size(); i++) {
            ListenerConfig l = config.listeners().get(i);
            ListenerTls tls = tlsListeners.get(i);
            try {
                bound.add(bind(transport, l, tls, i));
            } catch (RuntimeException e) {
                for (BoundListener b : bound) b.close();
                shutDownLoops();
                throw e;
            }
        }
        listeners = List.copyOf(bound);
        List<ListenerTls> watched = new ArrayList<>();
        for (ListenerTls t : tlsListeners) if (t != null) watched.add(t);
        if (!watched.isEmpty()) certificateWatcher = new CertificateWatcher(watched, CERTIFICATE_POLL_MILLIS);
        log.info("proxy listening on {} ({}{}, {} io threads)", String.join(", ", listeners.stream().map(BoundListener::describe).toList()),
                transport.name(), transport.reusePort() ? ", SO_REUSEPORT: one accepting socket per loop" : "", threads);
        return this;
    }

    /**
     * Puts a reloaded configuration in force without touching a connection: the new upstream groups (unchanged servers
     * kept, with their health and idle connections), client-IP trust, retries, rewrites and the timeouts of new client
     * connections. {@code swapRoutes} puts the new routes in force; while it runs both the old and the new groups are
     * served, so a request decided by either table finds its group. Servers that left are retired: their idle
     * connections close now, their busy ones when their requests end. Resolves host names: never call it on an event loop.
     *
     * @return the servers added and removed
     * @throws io.graygate.config.ConfigException when a host does not resolve; nothing changed then
     */
    public synchronized ServerChanges reconfigure(GatewayConfig next, Runnable swapRoutes) {
        UpstreamSet before = upstreams;
        UpstreamSet after = UpstreamSet.build(next.upstreams(), loopCount, before, hostNames);
        upstreams = after.withGroupsOf(before);
        Set<String> strippingBefore = stripPrefixRoutes;
        // While the routes swap, a request may be decided by either table: a new route strips from its first request.
        Set<String> strippingEither = new HashSet<>(strippingBefore);
        strippingEither.addAll(stripPrefixRoutes(next));
        stripPrefixRoutes = Set.copyOf(strippingEither);
        try {
            swapRoutes.run();
        } catch (RuntimeException e) {
            upstreams = before;
            stripPrefixRoutes = strippingBefore;
            throw e;
        }
        config = next;
        clientIps = new ClientIpResolver(next.clientIp().trustedProxySet());
        stripPrefixRoutes = stripPrefixRoutes(next);
        upstreams = after;
        List<UpstreamServer> gone = before.serversMissingFrom(after);
        retire(gone);
        List<String> added = after.serversMissingFrom(before).stream().map(s -> s.group() + " " + s).toList();
        return new ServerChanges(added, gone.stream().map(s -> s.group() + " " + s).toList());
    }

    /** Puts a group's re-resolved servers in force, unless a reload replaced the group meanwhile. */
    private synchronized boolean followedNames(UpstreamGroup group, List<UpstreamServer> servers) {
        if (upstreams.group(group.name()) != group) return false;
        List<UpstreamServer> before = List.of(group.servers());
        group.replaceServers(servers);
        retire(before.stream().filter(s -> !servers.contains(s)).toList());
        return true;
    }

    /** Servers that left their group: pooled idle connections close now, busy ones when their requests end. */
    private void retire(List<UpstreamServer> gone) {
        if (gone.isEmpty()) return;
        gone.forEach(UpstreamServer::retire);
        for (UpstreamPool p : pools.values()) p.loop().execute(() -> p.retire(gone));
    }

    /** Servers a reload added and removed, each as "group 10.0.0.1:80". */
    public record ServerChanges(List<String> added, List<String> removed) {
    }


    /** Loads each TLS listener's certificates (null for a plain listener), before anything is bound. */
    private List<ListenerTls> loadTls() {
        List<ListenerTls> out = new ArrayList<>();
        TlsProvider provider = null;
        for (int i = 0; i < config.listeners().size(); i++) {
            ListenerConfig l = config.listeners().get(i);
            if (!l.isTls()) {
                out.add(null);
                continue;
            }
            if (provider == null) provider = TlsProvider.best();
            out.add(ListenerTls.load(l.address(), "listeners[" + i + "].tls", l.tls(), provider));
        }
        return out;
    }

    private BoundListener bind(Transport transport, ListenerConfig l, ListenerTls tls, int index) {
        ClientChannelInitializer initializer = new ClientChannelInitializer(this, tls);
        HostPort at = l.address();
        List<Channel> sockets = new ArrayList<>();
        // Without SO_REUSEPORT (NIO), one socket accepts for all loops, which Netty hands connections to in turn.
        List<EventLoopGroup> acceptors = new ArrayList<>();
        if (transport.reusePort()) {
            for (EventExecutor e : loops) acceptors.add((EventLoop) e);
        } else {
            acceptors.add(loops);
        }
        int port = at.port();
        for (EventLoopGroup group : acceptors) {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(group, group)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true) // see ClientConnection
                    .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                    .childHandler(initializer);
            transport.configureListener(bootstrap);
            ChannelFuture f = bootstrap.bind(at.host(), port).awaitUninterruptibly();
            if (!f.isSuccess()) {
                for (Channel c : sockets) c.close().awaitUninterruptibly();
                Throwable cause = f.cause();
                String field = config.listeners().size() == 1 ? "listen" : "listeners[" + index + "].address";
                throw new IllegalStateException(field + ": cannot bind " + at + ": " + cause.getMessage(), cause);
            }
            sockets.add(f.channel());
            port = ((InetSocketAddress) f.channel().localAddress()).getPort(); // port 0: the others join the one chosen
        }
        return new BoundListener(l, tls, List.copyOf(sockets));
    }

    /** The first listener's address. */
    public InetSocketAddress address() {
        if (listeners.isEmpty()) throw new IllegalStateException("the proxy is not started");
        return listeners.get(0).address();
    }

    /** Every listener's address with its scheme ({@code http://HOST:PORT} or {@code https://...}), in configuration order. */
    public List<String> urls() {
        return listeners.stream().map(BoundListener::url).toList();
    }

    /** The address of listener {@code index} (configuration order). */
    public InetSocketAddress address(int index) {
        return listeners.get(index).address();
    }

    /**
     * Re-reads every TLS listener's certificate files now (what SIGHUP does; the files are also watched). All are
     * loaded before any is swapped: on a bad file a {@link ConfigException} names it and nothing changes.
     * Returns the number of listeners whose certificates changed.
     */
    public int reloadCertificates() {
        return reloadTls(config);
    }

    /**
     * Takes the TLS settings of a new configuration (for a configuration reload): each TLS listener, matched by its
     * position, gets the new certificates, protocols and ciphers; connections already open keep theirs. Refused whole,
     * with a {@link ConfigException} and nothing changed, when a listener would be added, removed, moved or switched
     * between plain and TLS (those need a restart) or a certificate does not load.
     */
    public synchronized int reloadTls(GatewayConfig next) {
        TlsReload reload = prepareTls(next);
        if (!reload.needRestart().isEmpty()) {
            throw new ConfigException(String.join("; ", reload.needRestart()));
        }
        return reload.apply().size();
    }

    /**
     * Loads the TLS settings of a new configuration without putting them in force (the first half of a configuration
     * reload, before anything else changes): each listener that keeps its position, address and kind (plain or TLS)
     * has its certificates re-read from the new settings. Throws a {@link ConfigException} naming the file when one
     * does not load. A listener added, removed, moved or switched between plain and TLS is listed in
     * {@link TlsReload#needRestart()} and left as it is.
     */
    public synchronized TlsReload prepareTls(GatewayConfig next) {
        List<TlsReload.Listener> pending = new ArrayList<>();
        List<String> needRestart = new ArrayList<>();
        if (next.listeners().size() != listeners.size()) {
            needRestart.add("listeners: " + listeners.size() + " are bound and the new configuration has "
                    + next.listeners().size() + "; adding or removing a listener needs a restart");
        }
        for (int i = 0; i < Math.min(listeners.size(), next.listeners().size()); i++) {
            BoundListener b = listeners.get(i);
            ListenerConfig n = next.listeners().get(i);
            String at = "listeners[" + i + "]";
            if (!n.address().equals(b.config().address())) {
                needRestart.add(at + ".address: moving a listener (" + b.config().address() + " to " + n.address() + ") needs a restart");
            } else if (n.isTls() != (b.tls() != null)) {
                needRestart.add(at + ".tls: switching a listener between plain and TLS needs a restart");
            } else if (b.tls() != null) {
                pending.add(new TlsReload.Listener(b.url(), b.tls().prepare(n.tls())));
            }
        }
        return new TlsReload(pending, needRestart);
    }

    /** Client connections open now, on every listener. */
    public long activeConnections() {
        long n = 0;
        for (LoopChannels c : clientsByLoop.values()) n += c.count();
        return n;
    }

    /** Every upstream server in force, by group, as health and failures show it. */
    public List<ServerState> servers() {
        // Keyed by label set: while a reload swaps the groups, a group may be listed twice for a moment.
        Map<String, ServerState> out = new java.util.LinkedHashMap<>();
        for (UpstreamGroup g : upstreams.groups().values()) {
            for (UpstreamServer s : g.servers()) {
                out.putIfAbsent(g.name() + " " + s, new ServerState(g.name(), s.toString(), s.health().isUp(), s.connectFailures()));
            }
        }
        return List.copyOf(out.values());
    }

    /** One upstream server of a group: up (not marked down by failures or health checks), and its connect failures so far. */
    public record ServerState(String upstream, String server, boolean up, long connectFailures) {
    }

    /** Requests received and not yet fully answered. */
    public int inFlight() {
        long n = 0;
        for (LoopCounter c : inFlightByLoop.values()) n += c.get();
        return (int) n;
    }

    /** Stops accepting, waits for in-flight requests up to the drain timeout, then closes the event loops. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        if (certificateWatcher != null) certificateWatcher.close();
        if (listeners.isEmpty()) {
            shutDownLoops();
            return;
        }
        for (BoundListener b : listeners) b.close();
        draining = true;
        for (LoopChannels c : clientsByLoop.values()) {
            for (Channel ch : c.snapshot()) ch.pipeline().fireUserEventTriggered(ClientConnection.DRAIN);
        }
        long deadline = System.nanoTime() + config.proxy().drainTimeout().toNanos();
        while (inFlight() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10); // close() runs on a caller's thread, never on an event loop
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int left = inFlight();
        if (left > 0) log.warn("drain timeout: closing {} requests still in flight", left);
        for (LoopChannels c : clientsByLoop.values()) {
            for (Channel ch : c.snapshot()) ch.close().awaitUninterruptibly();
        }
        shutDownLoops();
        log.info("proxy on {} closed", String.join(", ", urls()));
    }

    private void shutDownLoops() {
        if (healthChecks != null) healthChecks.close();
        if (nameFollower != null) nameFollower.close();
        hostNames.close();
        if (loops != null) loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        accessLog.close();
    }

    // ---- for the connections of this server ----

    GatewayConfig config() {
        return config;
    }

    Supplier<RouteTable> routes() {
        return routes;
    }

    ClientIpResolver clientIps() {
        return clientIps;
    }

    UpstreamGroup upstream(String name) {
        return upstreams.group(name);
    }

    /** Connections tried so far to the servers at {@code hostPort}, in every group (for tests and diagnostics). */
    long connectAttempts(String hostPort) {
        long n = 0;
        for (UpstreamGroup g : upstreams.groups().values()) {
            for (UpstreamServer s : g.servers()) if (s.toString().equals(hostPort)) n += s.connectAttempts();
        }
        return n;
    }

    UpstreamPool pool(EventLoop loop) {
        return pools.get(loop);
    }

    AccessLog accessLog() {
        return accessLog;
    }

    /** Whether a route's requests reach the upstream without the route's prefix ({@code stripPrefix: true}). */
    boolean stripsPrefix(String route) {
        return stripPrefixRoutes.contains(route);
    }

    NextUpstream nextUpstream() {
        return config.proxy().nextUpstream();
    }

    int nextUpstreamTries() {
        return config.proxy().nextUpstreamTries();
    }

    boolean versionHeader() {
        return config.proxy().versionHeader();
    }

    boolean draining() {
        return draining;
    }

    /** The count of requests in flight that the connections on {@code loop} keep. */
    LoopCounter inFlight(EventLoop loop) {
        return inFlightByLoop.get(loop);
    }

    /** Idle upstream connections in all pools; asks each loop, so never call it on one (for tests and diagnostics). */
    int idleUpstreamConnections() {
        int n = 0;
        for (UpstreamPool p : pools.values()) n += p.loop().submit(p::idleCount).syncUninterruptibly().getNow();
        return n;
    }

    /** The open client connections of each event loop; waits on each loop, so never call it on one (for tests and diagnostics). */
    List<List<Channel>> clientChannelsByLoop() {
        List<List<Channel>> out = new ArrayList<>();
        for (LoopChannels c : clientsByLoop.values()) out.add(c.snapshot());
        return out;
    }

    /** The socket transport in use: io_uring, epoll or nio. */
    String transportName() {
        return transportName;
    }

    /** The accepting sockets of listener {@code index}: one per event loop with SO_REUSEPORT, else one. */
    List<Channel> listenerSockets(int index) {
        return listeners.get(index).sockets();
    }

    /** Keeps a new client connection for the drain; called on its event loop. */
    void track(Channel client) {
        clientsByLoop.get(client.eventLoop()).add(client);
    }
}
