package io.graygate.proxy;

import io.graygate.config.HostPort;
import io.graygate.config.ListenerConfig;
import io.graygate.proxy.tls.ListenerTls;
import io.netty.channel.Channel;

import java.net.InetSocketAddress;
import java.util.List;

/** One listener as bound: its configuration, its TLS (null when plain), and its accepting sockets (one per event loop with SO_REUSEPORT). */
record BoundListener(ListenerConfig config, ListenerTls tls, List<Channel> sockets) {

    InetSocketAddress address() {
        return (InetSocketAddress) sockets.get(0).localAddress();
    }

    String url() {
        InetSocketAddress a = address();
        return (tls == null ? "http://" : "https://") + new HostPort(a.getAddress().getHostAddress(), a.getPort());
    }

    String describe() {
        if (tls == null) return url();
        return url() + " (TLS by " + tls.provider().description() + (tls.provider().whyNotOpenSsl() == null ? "" : ", OpenSSL unavailable: "
                + tls.provider().whyNotOpenSsl()) + "; ALPN h2, http/1.1)";
    }

    void close() {
        for (Channel c : sockets) c.close().awaitUninterruptibly();
    }
}
