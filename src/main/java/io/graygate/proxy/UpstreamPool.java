package io.graygate.proxy;

import io.graygate.config.ProxyConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.resolver.NoopAddressResolverGroup;

import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The upstream connections of one event loop: it connects on that loop and keeps idle keep-alive connections per
 * server, most recently used first, so only that loop ever touches it and it needs no lock. Idle connections are
 * closed after {@code upstreamIdleTimeout}, at most {@code maxIdlePerServer} are kept, and one the upstream closed
 * leaves the pool at once.
 */
final class UpstreamPool {

    static final String CODEC = "http";
    static final String HANDLER = "upstream";

    private final EventLoop loop;
    private final int index;
    private final Bootstrap bootstrap;
    /** By server identity: servers come and go with reloads. */
    private final Map<UpstreamServer, ArrayDeque<UpstreamConnection>> idle = new IdentityHashMap<>();
    private final long idleTimeoutNanos;
    private final int maxIdlePerServer;

    /** @param index this loop's place among the event loops, for the groups' per-loop round-robin weights */
    UpstreamPool(EventLoop loop, int index, Transport transport, ProxyConfig config) {
        this.loop = loop;
        this.index = index;
        this.idleTimeoutNanos = config.upstreamIdleTimeout().toNanos();
        this.maxIdlePerServer = config.maxIdlePerServer();
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(config.maxHeaderSize())
                .setMaxHeaderSize(config.maxHeaderSize())
                .setMaxChunkSize(ClientChannelInitializer.MAX_CHUNK_SIZE);
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(transport.channel())
                .resolver(NoopAddressResolverGroup.INSTANCE) // addresses were resolved at start
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(CODEC, new HttpClientCodec(decoder, false, false))
                                .addLast(HANDLER, new UpstreamConnection(UpstreamPool.this));
                    }
                });
        long sweep = Math.max(TimeUnit.MILLISECONDS.toNanos(250), idleTimeoutNanos / 4);
        loop.scheduleWithFixedDelay(this::closeExpired, sweep, sweep, TimeUnit.NANOSECONDS);
    }

    /** The next server of a group in this loop's turn, leaving out those tried already; null when all were. */
    UpstreamServer next(UpstreamGroup group, UpstreamServer[] tried, int triedCount) {
        return group.choose(index, tried, triedCount);
    }

    /** A kept-alive connection to the server, or null when there is none. */
    UpstreamConnection pollIdle(UpstreamServer server) {
        ArrayDeque<UpstreamConnection> connections = idle.get(server);
        if (connections == null) return null;
        UpstreamConnection c;
        while ((c = connections.pollFirst()) != null) {
            if (c.channel().isActive()) return c;
            c.channel().close();
        }
        return null;
    }

    /** Starts a new connection on this loop; the future's channel carries an {@link UpstreamConnection}. */
    ChannelFuture connect(UpstreamServer server) {
        server.countConnectAttempt();
        if (server.tls() == null) {
            ChannelFuture f = bootstrap.connect(server.address());
            // Registration ran inline on this loop, so the pipeline is already built.
            UpstreamConnection c = UpstreamConnection.of(f.channel());
            if (c != null) c.server(server);
            return f;
        }
        // TLS: the handler goes in front of the codec before the connect, so the handshake starts once connected.
        ChannelFuture registered = bootstrap.register();
        Channel ch = registered.channel();
        if (!registered.isSuccess() && registered.isDone()) return registered;
        ch.pipeline().addFirst("tls", server.newTlsHandler(ch.alloc()));
        UpstreamConnection c = UpstreamConnection.of(ch);
        if (c != null) c.server(server);
        return ch.connect(server.address());
    }

    /** Takes back a connection whose exchange ended cleanly; it waits here for the next request to its server. */
    void release(UpstreamConnection c) {
        UpstreamServer server = c.server();
        if (server.retired()) { // left its group on a reload: closed now that its request is over
            c.channel().close();
            return;
        }
        ArrayDeque<UpstreamConnection> connections = idle.computeIfAbsent(server, s -> new ArrayDeque<>());
        if (!c.channel().isActive() || connections.size() >= maxIdlePerServer) {
            c.channel().close();
            return;
        }
        c.idleSince(System.nanoTime());
        connections.addFirst(c);
        // Reading while idle is how a close by the upstream is noticed (see UpstreamConnection).
        c.resumeReading();
    }

    /** Drops a connection that closed while idle. */
    void forget(UpstreamConnection c) {
        if (c.server() == null) return;
        ArrayDeque<UpstreamConnection> connections = idle.get(c.server());
        if (connections != null) connections.removeFirstOccurrence(c);
    }

    /** Closes the idle connections of servers that left their groups; call on this pool's loop. */
    void retire(List<UpstreamServer> servers) {
        for (UpstreamServer s : servers) {
            ArrayDeque<UpstreamConnection> connections = idle.remove(s);
            if (connections == null) continue;
            for (UpstreamConnection c; (c = connections.pollFirst()) != null; ) c.channel().close();
        }
    }

    private void closeExpired() {
        long now = System.nanoTime();
        for (ArrayDeque<UpstreamConnection> connections : idle.values()) {
            UpstreamConnection oldest;
            while ((oldest = connections.peekLast()) != null && now - oldest.idleSince() >= idleTimeoutNanos) {
                connections.pollLast();
                oldest.channel().close();
            }
        }
    }

    EventLoop loop() {
        return loop;
    }

    /** Idle connections held now; call on this pool's loop. */
    /** This loop's place among the event loops, from 0: the row it records its meters in. */
    int index() {
        return index;
    }

    int idleCount() {
        int n = 0;
        for (ArrayDeque<UpstreamConnection> connections : idle.values()) n += connections.size();
        return n;
    }
}
