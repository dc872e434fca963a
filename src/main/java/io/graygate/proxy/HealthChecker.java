package io.graygate.proxy;

import io.graygate.config.HealthCheckConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Active health checks: on a thread of its own, never on the request path, each server of a group with a
 * {@code healthCheck} gets {@code GET path} every {@code interval}; {@code unhealthy} failures in a row (no answer
 * within {@code timeout}, a refused connection, a status outside {@code expectStatus}) take it out through its
 * {@link ServerHealth}, {@code healthy} passes in a row bring it back. It follows reloads: each tick reads the groups
 * in force, so new servers are checked and retired ones forgotten.
 */
final class HealthChecker implements AutoCloseable {

    private static final long TICK_MILLIS = 50;

    private final Supplier<UpstreamSet> upstreams;
    private final EventLoopGroup loop = new NioEventLoopGroup(1, new DefaultThreadFactory("graygate-health"));
    private final Bootstrap bootstrap;
    /** Touched only on the checker's loop. */
    private final Map<UpstreamServer, State> states = new IdentityHashMap<>();
    private final ScheduledFuture<?> ticks;

    HealthChecker(Supplier<UpstreamSet> upstreams) {
        this.upstreams = upstreams;
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .resolver(NoopAddressResolverGroup.INSTANCE)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpClientCodec());
                    }
                });
        this.ticks = loop.next().scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        long now = System.nanoTime();
        states.keySet().removeIf(UpstreamServer::retired);
        for (UpstreamGroup g : upstreams.get().groups().values()) {
            HealthCheckConfig hc = g.config().healthCheck();
            if (hc == null) continue;
            for (UpstreamServer s : g.servers()) {
                State st = states.computeIfAbsent(s, k -> new State(now));
                if (st.inFlight || now - st.nextDue < 0) continue;
                st.inFlight = true;
                st.nextDue = now + hc.interval().toNanos();
                check(s, hc, st);
            }
        }
    }

    private void check(UpstreamServer server, HealthCheckConfig hc, State st) {
        ChannelFuture f = bootstrap.clone()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, hc.timeout().toMillis()))
                .connect(server.address());
        Channel ch = f.channel();
        ScheduledFuture<?> timeout = ch.eventLoop().schedule(() -> {
            if (verdict(server, hc, st, false, "no answer to GET " + hc.path() + " within " + hc.timeout().toMillis() + " ms")) ch.close();
        }, hc.timeout().toMillis(), TimeUnit.MILLISECONDS);
        f.addListener(connected -> {
            if (!connected.isSuccess()) {
                timeout.cancel(false);
                verdict(server, hc, st, false, "GET " + hc.path() + ": " + ProxyException.describeConnectFailure(connected.cause(), hc.timeout()));
                return;
            }
            ch.pipeline().addLast(new SimpleChannelInboundHandler<HttpObject>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                    if (!(msg instanceof HttpResponse r)) return;
                    timeout.cancel(false);
                    int status = r.status().code();
                    verdict(server, hc, st, hc.expects(status), "GET " + hc.path() + " answered " + status);
                    ctx.close();
                }

                @Override
                public void channelInactive(ChannelHandlerContext ctx) {
                    timeout.cancel(false);
                    verdict(server, hc, st, false, "GET " + hc.path() + ": the connection closed before an answer");
                }

                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    ctx.close();
                }
            });
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, hc.path());
            request.headers().set(HttpHeaderNames.HOST, server.hostHeader());
            request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            request.headers().set(HttpHeaderNames.USER_AGENT, "graygate-health-check");
            ch.writeAndFlush(request);
        });
    }

    /** Counts one check's outcome, once per check (the first of answer, close and timeout wins); true if it was the first. */
    private static boolean verdict(UpstreamServer server, HealthCheckConfig hc, State st, boolean passed, String detail) {
        if (!st.inFlight) return false;
        st.inFlight = false;
        if (passed) {
            st.fails = 0;
            if (++st.passes >= hc.healthy()) server.health().checked(true, detail);
        } else {
            st.passes = 0;
            if (++st.fails >= hc.unhealthy()) server.health().checked(false, detail);
        }
        return true;
    }

    @Override
    public void close() {
        ticks.cancel(false);
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** One server's run of results, and when its next check is due. */
    private static final class State {
        long nextDue;
        int passes;
        int fails;
        boolean inFlight;

        State(long now) {
            this.nextDue = now;
        }
    }
}
