package io.graygate.proxy;

import io.graygate.config.ConfigLoader;
import io.graygate.config.GatewayConfig;
import io.graygate.rules.RuleBook;
import io.graygate.rules.RuleStores;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Runs a {@link ProxyServer} from a YAML file in a JVM of its own, for tests that bound its heap: prints
 * {@code LISTENING <port>} once bound, and closes when its standard input ends.
 */
public final class ProxyMain {

    private ProxyMain() {
    }

    public static void main(String[] args) throws IOException {
        GatewayConfig config = ConfigLoader.load(Path.of(args[0]));
        try (RuleBook rules = new RuleBook(config, RuleStores.forUri(config.store())).open();
             ProxyServer proxy = new ProxyServer(config, rules::snapshot).start()) {
            System.out.println("LISTENING " + proxy.address().getPort());
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the parent to close our input
            }
        }
    }
}
