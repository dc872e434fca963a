package io.graygate.admin;

import io.graygate.config.GatewayConfig;
import io.graygate.rules.RuleBook;

import java.net.InetSocketAddress;

/** The admin listener: the JSON API over the rule book, on loopback by default, behind a bearer token when one is set. */
public final class AdminServer implements AutoCloseable {

    private final GatewayConfig config;
    private final RuleBook rules;

    public AdminServer(GatewayConfig config, RuleBook rules) {
        this.config = config;
        this.rules = rules;
    }

    public AdminServer start() {
        throw new UnsupportedOperationException("the admin API is being written");
    }

    public InetSocketAddress address() {
        throw new UnsupportedOperationException("the admin API is being written");
    }

    @Override
    public void close() {
    }
}
