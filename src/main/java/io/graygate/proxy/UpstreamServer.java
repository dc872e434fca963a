package io.graygate.proxy;

import io.graygate.config.HostPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One server of an upstream group: its address, resolved once at start so that no event loop ever waits on DNS,
 * and whether its last connect failed, so that "upstream down" is logged once per change of state, not per request.
 */
final class UpstreamServer {

    private static final Logger log = LoggerFactory.getLogger(UpstreamServer.class);

    private final int id;
    private final String group;
    private final HostPort hostPort;
    private final InetSocketAddress address;
    private final String text;
    private final AtomicBoolean down = new AtomicBoolean();

    UpstreamServer(int id, String group, HostPort hostPort, InetSocketAddress address) {
        this.id = id;
        this.group = group;
        this.hostPort = hostPort;
        this.address = address;
        this.text = hostPort.toString();
    }

    /** Index among all servers of all groups; the pools keep their idle connections in arrays by it. */
    int id() {
        return id;
    }

    String group() {
        return group;
    }

    InetSocketAddress address() {
        return address;
    }

    /** The Host header for a request that came without one. */
    String hostHeader() {
        return text;
    }

    void connected() {
        if (down.get() && down.compareAndSet(true, false)) {
            log.info("upstream up again: {} \"{}\"", text, group);
        }
    }

    void connectFailed(String why) {
        if (!down.get() && down.compareAndSet(false, true)) {
            log.warn("upstream down: {} \"{}\": {}", text, group, why);
        }
    }

    @Override
    public String toString() {
        return text;
    }
}
