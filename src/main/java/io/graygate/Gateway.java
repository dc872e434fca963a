package io.graygate;

import io.graygate.admin.AdminServer;
import io.graygate.config.GatewayConfig;
import io.graygate.proxy.ProxyServer;
import io.graygate.rules.RuleBook;
import io.graygate.store.RuleStores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;

/**
 * One graygate node: the rule book (store plus compiled snapshot), the proxy listener and the admin listener.
 * {@link #close()} stops accepting, drains in-flight requests, closes the store, then the event loops; twice is harmless.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig config;
    private final RuleBook rules;
    private final ProxyServer proxy;
    private final AdminServer admin;
    private boolean closed;

    private Gateway(GatewayConfig config, RuleBook rules, ProxyServer proxy, AdminServer admin) {
        this.config = config;
        this.rules = rules;
        this.proxy = proxy;
        this.admin = admin;
    }

    /** Opens the store, binds both listeners and returns the running gateway; on any failure releases what it took. */
    public static Gateway start(GatewayConfig config) {
        return start(config, Set.of());
    }

    /** As {@link #start(GatewayConfig)}, putting the configuration's rules of the {@code reseed} routes back in force. */
    public static Gateway start(GatewayConfig config, Set<String> reseed) {
        RuleBook rules = new RuleBook(config, RuleStores.forConfig(config));
        ProxyServer proxy = null;
        AdminServer admin = null;
        try {
            rules.open(reseed);
            proxy = new ProxyServer(config, rules::snapshot).start();
            admin = new AdminServer(config, rules).start();
        } catch (RuntimeException e) {
            if (admin != null) admin.close();
            if (proxy != null) proxy.close();
            rules.close();
            throw e;
        }
        Gateway g = new Gateway(config, rules, proxy, admin);
        log.info("graygate listening on {} (admin {}), store {}, {} routes", String.join(", ", proxy.urls()), admin.address(),
                config.redactedStore(), config.routes().size());
        return g;
    }

    public InetSocketAddress address() {
        return proxy.address();
    }

    /** Every proxy listener as a URL ({@code http://HOST:PORT}, {@code https://HOST:PORT}), in configuration order. */
    public List<String> proxyUrls() {
        return proxy.urls();
    }

    /**
     * Re-reads the certificate files of every TLS listener (SIGHUP; they are watched for changes too). Throws a
     * {@link io.graygate.config.ConfigException} naming the bad file, keeping the certificates in force; returns
     * how many listeners changed.
     */
    public int reloadCertificates() {
        return proxy.reloadCertificates();
    }

    public InetSocketAddress adminAddress() {
        return admin.address();
    }

    public int port() {
        return proxy.address().getPort();
    }

    public int adminPort() {
        return admin.address().getPort();
    }

    public RuleBook rules() {
        return rules;
    }

    public GatewayConfig config() {
        return config;
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        log.info("graygate stopping: draining in-flight requests (at most {} ms)", config.proxy().drainTimeout().toMillis());
        proxy.close();
        admin.close();
        rules.close();
        log.info("graygate stopped");
    }
}
