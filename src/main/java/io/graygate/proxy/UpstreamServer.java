package io.graygate.proxy;

import io.graygate.config.ServerAddress;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * One server of an upstream group at one address: a configured host name gives one server per address it resolves
 * to (resolved off the event loops, see {@link NameFollower}), each with the configured weight and a
 * {@link ServerHealth} of its own. A server that leaves its group on a reload is retired: the pools close its
 * idle connections and do not keep the ones still in use once their requests end.
 */
final class UpstreamServer {

    private final String group;
    private final ServerAddress configured;
    private final InetSocketAddress address;
    private final int weight;
    private final SslContext tls;
    private final boolean verify;
    private final String text;
    private final String hostHeader;
    private final ServerHealth health;
    private final LongAdder connectAttempts = new LongAdder();
    private final LongAdder connectFailures = new LongAdder();
    private volatile boolean retired;

    UpstreamServer(String group, ServerAddress configured, InetSocketAddress address, int weight, int maxFails, long failTimeoutNanos) {
        this(group, configured, address, weight, maxFails, failTimeoutNanos, null, true);
    }

    /**
     * @param tls     the group's client TLS context for an {@code https://} server, else null
     * @param verify  whether the certificate's name is checked against the configured host
     */
    UpstreamServer(String group, ServerAddress configured, InetSocketAddress address, int weight, int maxFails, long failTimeoutNanos,
                   SslContext tls, boolean verify) {
        this.group = group;
        this.tls = tls;
        this.verify = verify;
        this.configured = configured;
        this.address = address;
        this.weight = weight;
        this.hostHeader = configured.hostPort().toString();
        this.text = configured.isLiteral() ? hostHeader
                : configured.host() + "/" + new io.graygate.config.HostPort(address.getAddress().getHostAddress(), configured.port());
        this.health = new ServerHealth(text + " \"" + group + "\"", maxFails, failTimeoutNanos);
    }

    String group() {
        return group;
    }

    ServerAddress configured() {
        return configured;
    }

    InetSocketAddress address() {
        return address;
    }

    int weight() {
        return weight;
    }

    /** The TLS context for an {@code https://} server, or null for plain HTTP. */
    SslContext tls() {
        return tls;
    }

    /**
     * A new TLS handler for a connection to this server: SNI and certificate name checking by the configured host
     * (the name, not the address it resolved to), unless the group turned verifying off.
     */
    SslHandler newTlsHandler(ByteBufAllocator alloc) {
        String peer = configured.host();
        SslHandler handler = tls.newHandler(alloc, peer, configured.port()); // the peer host is what the name check uses
        SSLEngine engine = handler.engine();
        SSLParameters parameters = engine.getSSLParameters();
        if (verify) parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (!configured.isLiteral()) parameters.setServerNames(List.of(new SNIHostName(peer)));
        engine.setSSLParameters(parameters);
        return handler;
    }

    ServerHealth health() {
        return health;
    }

    /** The Host header for a request that came without one. */
    String hostHeader() {
        return hostHeader;
    }

    void countConnectAttempt() {
        connectAttempts.increment();
    }

    /** Connections this gateway has tried to open to the server (for tests and diagnostics). */
    long connectAttempts() {
        return connectAttempts.sum();
    }

    /** A connection to it could not be made (refused, timed out, TLS handshake failed); rare, so a shared adder. */
    void countConnectFailure() {
        connectFailures.increment();
    }

    long connectFailures() {
        return connectFailures.sum();
    }

    void retire() {
        retired = true;
    }

    boolean retired() {
        return retired;
    }

    /** "10.0.0.1:8080", or "api.internal/10.0.0.1:8080" for a name, as the access log and error messages show it. */
    @Override
    public String toString() {
        return text;
    }
}
