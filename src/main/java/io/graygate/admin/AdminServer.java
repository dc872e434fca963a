package io.graygate.admin;

import io.graygate.config.ConfigException;
import io.graygate.config.GatewayConfig;
import io.graygate.config.HostPort;
import io.graygate.config.ReloadReport;
import io.graygate.rules.RuleBook;
import io.graygate.stats.LiveStats;
import io.graygate.stats.TrafficMeters;
import io.graygate.store.NodeBoard;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The admin listener: the JSON API over the rule book and the dashboard built on it ({@code /}, {@code /ui/...}), on
 * loopback by default. When {@code admin.token} or {@code admin.tokens} is set, every API call, {@code /health}
 * included, must carry {@code Authorization: Bearer <token>} with one of them, else it is answered 401; the
 * dashboard's static files need none, and {@code /metrics} none when {@code admin.metricsWithoutToken}.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

    /** Large enough for a whitelist of a few hundred thousand entries in one POST. */
    static final int MAX_BODY_BYTES = 64 * 1024 * 1024;

    private final GatewayConfig config;
    private final RuleBook rules;
    private final Supplier<ReloadReport> reload;
    private final LiveStats stats;
    private final MetricsEndpoint metrics;
    private EventLoopGroup acceptors;
    private EventLoopGroup ioLoops;
    private ExecutorService workers;
    private Channel listener;
    private boolean closed;

    public AdminServer(GatewayConfig config, RuleBook rules) {
        this(config, rules, () -> {
            throw new ConfigException("this gateway has no configuration file to reload");
        });
    }

    /** @param reload reads the configuration file again and puts it in force, for {@code POST /api/reload} */
    public AdminServer(GatewayConfig config, RuleBook rules, Supplier<ReloadReport> reload) {
        this(config, rules, reload, new LiveStats(TrafficMeters.NONE, rules::snapshot, NodeBoard.ALONE),
                MetricsEndpoint.standalone(rules::snapshot, () -> rules.store().status()));
    }

    /**
     * @param stats   the live figures and the node list, for {@code /api/stats} and {@code /api/nodes}
     * @param metrics what {@code /metrics} serves
     */
    public AdminServer(GatewayConfig config, RuleBook rules, Supplier<ReloadReport> reload, LiveStats stats, MetricsEndpoint metrics) {
        this.config = config;
        this.rules = rules;
        this.reload = reload;
        this.stats = stats;
        this.metrics = metrics;
    }

    /** Binds {@code admin.listen}; fails fast, naming the address, when it is taken. */
    public synchronized AdminServer start() {
        if (listener != null) throw new IllegalStateException("the admin server is already started");
        AdminApi api = new AdminApi(rules, reload, stats, metrics);
        DashboardAssets assets = DashboardAssets.fromClassPath();
        BearerToken token = BearerToken.forConfig(config.admin());
        acceptors = new NioEventLoopGroup(1, new DefaultThreadFactory("graygate-admin-accept"));
        ioLoops = new NioEventLoopGroup(1, new DefaultThreadFactory("graygate-admin-io"));
        // Changes block on the store (fsync, a Redis round trip): they run here, never on the I/O loop.
        workers = Executors.newFixedThreadPool(2, new DefaultThreadFactory("graygate-admin-api"));
        HostPort at = config.admin().listen();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptors, ioLoops)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast("http", new HttpServerCodec())
                                .addLast("aggregate", new HttpObjectAggregator(MAX_BODY_BYTES))
                                .addLast("api", new AdminHandler(api, assets, token, config.admin().metricsWithoutToken(), workers));
                    }
                });
        ChannelFuture bound = bootstrap.bind(at.host(), at.port()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            shutDownLoops();
            Throwable cause = bound.cause();
            throw new IllegalStateException("admin.listen " + at + ": cannot listen: " + cause.getMessage(), cause);
        }
        listener = bound.channel();
        log.info("admin API and dashboard (/) listening on {}{}", listener.localAddress(), token == null ? "" : " (bearer token required)");
        return this;
    }

    public InetSocketAddress address() {
        if (listener == null) throw new IllegalStateException("the admin server is not started");
        return (InetSocketAddress) listener.localAddress();
    }

    /** Stops accepting, lets requests being handled finish, then closes the connections and threads. Harmless to call twice. */
    @Override
    public synchronized void close() {
        if (closed || listener == null) return;
        closed = true;
        listener.close().awaitUninterruptibly();
        shutDownLoops();
    }

    private void shutDownLoops() {
        acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        // Workers first: a change being written finishes and its answer still reaches the I/O loop.
        workers.shutdown();
        try {
            if (!workers.awaitTermination(10, TimeUnit.SECONDS)) log.warn("admin: a request was still being handled after 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ioLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
