package io.graygate.proxy;

import io.graygate.config.GatewayConfig;
import io.graygate.config.HostPort;
import io.graygate.config.NextUpstream;
import io.graygate.config.ProxyConfig;
import io.graygate.config.RouteConfig;
import io.graygate.routing.ClientIpResolver;
import io.graygate.routing.RouteTable;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** The client-facing listener: accepts HTTP/1.1, decides per request, forwards to the chosen upstream. */
public final class ProxyServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);
    private static final int ACCESS_LOG_QUEUE = 65536;

    private volatile GatewayConfig config;
    private final Supplier<RouteTable> routes;
    private volatile ClientIpResolver clientIps;
    private final ChannelGroup clients = new DefaultChannelGroup("graygate-clients", GlobalEventExecutor.INSTANCE);
    private volatile UpstreamSet upstreams = UpstreamSet.EMPTY;
    private volatile Set<String> stripPrefixRoutes;
    private Map<EventLoop, UpstreamPool> pools = Map.of();
    private Map<EventLoop, LoopCounter> inFlightByLoop = Map.of();
    private AccessLog accessLog = AccessLog.off();
    private EventLoopGroup loops;
    private int loopCount;
    private HealthChecker healthChecks;
    private Channel listener;
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

    /** Binds {@code config.listen()}; fails fast when the address is taken. */
    public synchronized ProxyServer start() {
        if (started) throw new IllegalStateException("the proxy was started already");
        started = true;
        ProxyConfig pc = config.proxy();
        Transport transport = Transport.best();
        int threads = pc.effectiveIoThreads();
        loopCount = threads;
        upstreams = UpstreamSet.build(config.upstreams(), threads, UpstreamSet.EMPTY);
        loops = transport.newGroup(threads, new DefaultThreadFactory("graygate-io"));
        Map<EventLoop, UpstreamPool> byLoop = new IdentityHashMap<>();
        Map<EventLoop, LoopCounter> counters = new IdentityHashMap<>();
        int index = 0;
        for (EventExecutor e : loops) {
            EventLoop loop = (EventLoop) e;
            byLoop.put(loop, new UpstreamPool(loop, index++, transport, pc));
            counters.put(loop, new LoopCounter());
        }
        pools = byLoop;
        inFlightByLoop = counters;
        healthChecks = new HealthChecker(() -> upstreams);
        accessLog = pc.accessLog() ? AccessLog.async(ACCESS_LOG_QUEUE) : AccessLog.off();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true) // see ClientConnection
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(new ClientChannelInitializer(this));
        HostPort listen = config.listen();
        ChannelFuture bound = bootstrap.bind(listen.host(), listen.port()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            shutDownLoops();
            Throwable cause = bound.cause();
            throw new IllegalStateException("listen: cannot bind " + listen + ": " + cause.getMessage(), cause);
        }
        listener = bound.channel();
        log.info("proxy listening on {} ({}, {} io threads)", address(), transport.name(), threads);
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
        UpstreamSet after = UpstreamSet.build(next.upstreams(), loopCount, before);
        upstreams = after.withGroupsOf(before);
        try {
            swapRoutes.run();
        } catch (RuntimeException e) {
            upstreams = before;
            throw e;
        }
        config = next;
        clientIps = new ClientIpResolver(next.clientIp().trustedProxySet());
        stripPrefixRoutes = stripPrefixRoutes(next);
        upstreams = after;
        List<UpstreamServer> gone = before.serversMissingFrom(after);
        gone.forEach(UpstreamServer::retire);
        for (UpstreamPool p : pools.values()) p.loop().execute(() -> p.retire(gone));
        List<String> added = after.serversMissingFrom(before).stream().map(s -> s.group() + " " + s).toList();
        return new ServerChanges(added, gone.stream().map(s -> s.group() + " " + s).toList());
    }

    /** Servers a reload added and removed, each as "group 10.0.0.1:80". */
    public record ServerChanges(List<String> added, List<String> removed) {
    }

    public InetSocketAddress address() {
        if (listener == null) throw new IllegalStateException("the proxy is not started");
        return (InetSocketAddress) listener.localAddress();
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
        if (listener == null) {
            shutDownLoops();
            return;
        }
        listener.close().awaitUninterruptibly();
        draining = true;
        for (Channel ch : clients) ch.pipeline().fireUserEventTriggered(ClientConnection.DRAIN);
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
        clients.close().awaitUninterruptibly();
        shutDownLoops();
        log.info("proxy on {} closed", listener.localAddress());
    }

    private void shutDownLoops() {
        if (healthChecks != null) healthChecks.close();
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

    void track(Channel client) {
        clients.add(client);
    }
}
