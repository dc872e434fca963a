package io.graygate.config;

import java.util.Locale;

/**
 * Where one upstream server listens: {@code host:port} or {@code http://host[:port]} for plain HTTP,
 * {@code https://host[:port]} for TLS. The host may be a name (resolved at start and on each reload) or an address.
 */
public record ServerAddress(boolean tls, String host, int port) {

    public ServerAddress {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("host is empty");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port " + port + " is not in 1..65535");
    }

    public static ServerAddress parse(String text) {
        if (text == null) throw new IllegalArgumentException("expected host:port, got null");
        String s = text.strip();
        String lower = s.toLowerCase(Locale.ROOT);
        boolean tls = lower.startsWith("https://");
        boolean scheme = tls || lower.startsWith("http://");
        if (!scheme && lower.contains("://")) {
            throw new IllegalArgumentException("expected host:port, http://host:port or https://host:port, got \"" + text + "\"");
        }
        if (scheme) {
            s = s.substring(s.indexOf("://") + 3);
            if (s.endsWith("/")) s = s.substring(0, s.length() - 1);
            if (s.contains("/")) {
                throw new IllegalArgumentException("a server is host and port only, got \"" + text + "\"; a path goes in the group's pathPrefix");
            }
            boolean hasPort = s.startsWith("[") ? s.indexOf("]:") > 0 : s.lastIndexOf(':') > 0;
            if (!hasPort) s = s + ":" + (tls ? 443 : 80);
        }
        HostPort hp;
        try {
            hp = HostPort.parse(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().replace("\"" + s + "\"", "\"" + text + "\""));
        }
        if (hp.port() == 0) throw new IllegalArgumentException("port 0 is not a server's port");
        return new ServerAddress(tls, hp.host(), hp.port());
    }

    /** True when the host is an IPv4 or IPv6 literal, which is never sent as SNI. */
    public boolean isLiteral() {
        return io.graygate.routing.ip.IpAddress.parse(host) != null;
    }

    public HostPort hostPort() {
        return new HostPort(host, port);
    }

    @Override
    public String toString() {
        String hp = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        return tls ? "https://" + hp : hp;
    }
}
