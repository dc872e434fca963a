package io.graygate.proxy;

import io.graygate.config.GatewayConfig;
import io.graygate.routing.RouteTable;

import java.net.InetSocketAddress;
import java.util.function.Supplier;

/** The client-facing listener: accepts HTTP/1.1, decides per request, forwards to the chosen upstream. */
public final class ProxyServer implements AutoCloseable {

    private final GatewayConfig config;
    private final Supplier<RouteTable> routes;

    public ProxyServer(GatewayConfig config, Supplier<RouteTable> routes) {
        this.config = config;
        this.routes = routes;
    }

    /** Binds {@code config.listen()}; fails fast when the address is taken. */
    public ProxyServer start() {
        throw new UnsupportedOperationException("the proxy is being written");
    }

    public InetSocketAddress address() {
        throw new UnsupportedOperationException("the proxy is being written");
    }

    /** Requests received and not yet fully answered. */
    public int inFlight() {
        return 0;
    }

    /** Stops accepting, waits for in-flight requests up to the drain timeout, then closes the event loops. Idempotent. */
    @Override
    public void close() {
    }
}
