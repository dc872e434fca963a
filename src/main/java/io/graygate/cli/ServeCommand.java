package io.graygate.cli;

import io.graygate.Gateway;
import io.graygate.config.AdminConfig;
import io.graygate.config.ClientIpConfig;
import io.graygate.config.ConfigException;
import io.graygate.config.ConfigLoader;
import io.graygate.config.GatewayConfig;
import io.graygate.config.HostPort;
import io.graygate.config.ListenerConfig;
import io.graygate.config.ProxyConfig;
import io.graygate.config.RouteConfig;
import io.graygate.config.UpstreamConfig;
import io.graygate.policy.Mode;
import io.graygate.proxy.BufferArenas;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** {@code graygate serve}: runs one gateway node until SIGTERM or Ctrl-C, then closes it in order and exits 0. */
@Command(name = "serve", description = "Run the gateway: the proxy, the admin API and the rule store.")
final class ServeCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    static final HostPort DEMO_LISTEN = new HostPort("127.0.0.1", 8080);

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "The YAML configuration.")
    Path configFile;

    @Option(names = "--demo", description = "Run a self-contained demo: two stand-in upstreams and one route, no configuration needed.")
    boolean demo;

    @Option(names = "--listen", paramLabel = "HOST:PORT", converter = HostPortConverter.class, description = "Overrides listen.")
    HostPort listen;

    @Option(names = "--admin-listen", paramLabel = "HOST:PORT", converter = HostPortConverter.class, description = "Overrides admin.listen.")
    HostPort adminListen;

    @Option(names = "--store", paramLabel = "URI", description = "Overrides store: file:PATH or redis://HOST:PORT.")
    String store;

    @Option(names = "--reseed", paramLabel = "ROUTE", description = "Put the configuration's policy and IP sets of ROUTE back in force "
            + "(the store's win after a route's first start); repeatable.")
    List<String> reseed = new ArrayList<>();

    private final CountDownLatch stopRequested = new CountDownLatch(1);

    @Override
    public Integer call() {
        if (demo == (configFile != null)) {
            err().println("graygate: serve needs --config FILE or --demo (one of them)");
            err().flush();
            return CliException.USAGE;
        }
        List<DemoUpstream> upstreams = new ArrayList<>();
        Gateway gateway;
        try {
            GatewayConfig config;
            if (demo) {
                sizeBufferArenas(ProxyConfig.defaults().effectiveIoThreads()); // before the demo's upstreams use Netty
                upstreams.add(DemoUpstream.start("production"));
                upstreams.add(DemoUpstream.start("gray"));
                config = demoConfig(upstreams.get(0).address(), upstreams.get(1).address());
            } else {
                config = load(configFile);
            }
            config = withOverrides(config);
            if (!demo) sizeBufferArenas(config.proxy().effectiveIoThreads());
            gateway = demo ? Gateway.start(config, java.util.Set.copyOf(reseed))
                    : Gateway.start(config, java.util.Set.copyOf(reseed), this::reread);
        } catch (CliException e) {
            closeAll(upstreams);
            err().println("graygate: " + e.getMessage());
            err().flush();
            return e.exitCode();
        } catch (ConfigException e) { // found only at start: a certificate that does not load
            closeAll(upstreams);
            err().println("graygate: " + (configFile == null ? "" : "config " + configFile + ": ") + e.getMessage());
            err().flush();
            return CliException.USAGE;
        } catch (RuntimeException e) {
            closeAll(upstreams);
            err().println("graygate: cannot start: " + e.getMessage());
            err().flush();
            return CliException.REFUSED;
        }

        Runnable shutdown = () -> {
            gateway.close();
            closeAll(upstreams);
        };
        // The fallback for a stop the signal handlers do not see; the exit code is then 143, not 0.
        Thread hook = new Thread(shutdown, "graygate-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        onStopSignal(stopRequested::countDown);
        onReloadSignal(gateway);
        printBanner(gateway, upstreams);

        try {
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // an interrupted serve thread stops the gateway too
        }
        out().println("graygate: stopping");
        out().flush();
        shutdown.run();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyExiting) {
            // the JVM is exiting anyway; the hook's close is harmless after ours
        }
        return 0;
    }

    /** Asks a running {@code serve} to stop, as SIGTERM does. */
    void stop() {
        stopRequested.countDown();
    }

    /**
     * SIGTERM and Ctrl-C ask for an orderly stop: the serve thread closes the gateway and returns 0, where the JVM's
     * default handling would run shutdown hooks and exit 143. The signal API is the JDK's internal one; there is no other.
     */
    private void onStopSignal(Runnable stop) {
        for (String name : List.of("TERM", "INT")) {
            try {
                Signal.handle(new Signal(name), signal -> stop.run());
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                err().println("graygate: cannot handle SIG" + name + " (" + e.getMessage() + "); it will stop the gateway through the shutdown hook");
            }
        }
    }

    /**
     * SIGHUP (systemd's ExecReload) reloads the configuration file with the TLS certificates it names (the demo, which
     * has no file, re-reads its certificates only); without a handler it would end the JVM. The reload runs on a thread
     * of its own, as it blocks on the store, never on an event loop; what is refused is logged with its reason, and what is in force stays.
     */
    private void onReloadSignal(Gateway gateway) {
        ExecutorService reloads = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "graygate-reload");
            t.setDaemon(true);
            return t;
        });
        try {
            Signal.handle(new Signal("HUP"), signal -> reloads.execute(demo ? () -> reloadCertificates(gateway) : () -> reload(gateway)));
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            err().println("graygate: cannot handle SIGHUP (" + e.getMessage() + "); reload with graygate reload or POST /api/reload");
        }
    }

    private static void reloadCertificates(Gateway gateway) {
        try {
            log.info("SIGHUP: certificates re-read, {} listener(s) changed", gateway.reloadCertificates());
        } catch (RuntimeException e) {
            log.error("SIGHUP: certificate reload refused, what is in force stays: {}", e.getMessage());
        }
    }

    /** The certificates with the rest of the file, all or nothing; the gateway logs the outcome, a refusal with the path of the bad value. */
    private static void reload(Gateway gateway) {
        try {
            gateway.reload();
        } catch (RuntimeException e) {
            // logged by the gateway
        }
    }

    /** The configuration file read again, with the command line's overrides, for a reload. */
    private GatewayConfig reread() {
        GatewayConfig config = ConfigLoader.load(configFile);
        if (listen != null) config = config.withListen(listen);
        if (adminListen != null) config = config.withAdminListen(adminListen);
        if (store != null) config = config.withStore(store);
        return config;
    }

    private static GatewayConfig load(Path file) {
        try {
            return ConfigLoader.load(file);
        } catch (ConfigException e) {
            String problem = e.getMessage();
            if (problem.startsWith(file + ": ")) problem = problem.substring(file.toString().length() + 2); // "no such file" names it already
            throw new CliException(CliException.USAGE, "config " + file + ": " + problem);
        }
    }

    /** One pooled-buffer arena per event loop, where Netty would make two per core (see {@link BufferArenas}). */
    private static void sizeBufferArenas(int loops) {
        int arenas = BufferArenas.matchLoops(loops);
        if (arenas != loops) log.info("Netty's buffer arenas: {} direct, as the command line chose, for {} event loops", arenas, loops);
    }

    GatewayConfig withOverrides(GatewayConfig config) {
        try {
            if (listen != null) config = config.withListen(listen);
            if (adminListen != null) config = config.withAdminListen(adminListen);
            if (store != null) config = config.withStore(store);
            return config;
        } catch (ConfigException e) {
            throw new CliException(CliException.USAGE, e.getMessage());
        }
    }

    /** One route "demo" on / between two stand-in upstreams; the loopback addresses are trusted, so X-Real-IP works from curl. */
    static GatewayConfig demoConfig(HostPort production, HostPort gray) {
        Map<String, UpstreamConfig> upstreams = new LinkedHashMap<>();
        upstreams.put("production", UpstreamConfig.of(List.of(production)));
        upstreams.put("gray", UpstreamConfig.of(List.of(gray)));
        RouteConfig route = RouteConfig.shorthand("demo", "/", null, null, "production", "gray", Mode.GRAY, List.of(), null);
        return new GatewayConfig(List.of(ListenerConfig.plain(DEMO_LISTEN)), new AdminConfig(AdminConfig.DEFAULT_LISTEN, null), GatewayConfig.DEFAULT_STORE,
                new ClientIpConfig(List.of("127.0.0.1/32", "::1/128")), upstreams, List.of(route),
                ProxyConfig.defaults().withVersionHeader(true));
    }

    private void printBanner(Gateway gateway, List<DemoUpstream> upstreams) {
        List<String> proxies = gateway.proxyUrls();
        String proxy = proxies.get(0);
        String admin = url(gateway.adminAddress());
        GatewayConfig config = gateway.config();
        PrintWriter out = out();
        out.println("graygate " + Main.version() + " is serving");
        for (String p : proxies) {
            out.println("  proxy      " + p + "  (" + config.routes().size() + (config.routes().size() == 1 ? " route" : " routes")
                    + (p.startsWith("https:") ? "; TLS, HTTP/2 and HTTP/1.1)" : ")"));
        }
        out.println("  admin API  " + admin + (config.admin().requiresToken() ? "  (bearer token required)" : ""));
        out.println("  rules      " + config.redactedStore());
        for (DemoUpstream u : upstreams) out.println("  upstream   " + u.name() + " at " + u.address() + " (demo stand-in)");
        for (DemoUpstream u : upstreams) {
            if (u.name().equals("gray")) out.println("  make gray fail a share: curl -XPOST '" + u.address() + "/_demo/fail?ratio=0.2'  (or slow: /_demo/delay?ms=300)");
        }
        String adminFlag = gateway.adminAddress().getPort() == AdminConfig.DEFAULT_LISTEN.port()
                && config.admin().listen().host().equals(AdminConfig.DEFAULT_LISTEN.host()) ? "" : " --admin " + admin;
        out.println("try:");
        out.println("  curl -i " + (proxy.startsWith("https:") ? "-k " : "") + proxy + "/");
        if (!upstreams.isEmpty()) out.println("  graygate gray add" + adminFlag + " demo 127.0.0.1 && curl " + proxy + "/");
        else out.println("  graygate status" + adminFlag);
        out.println("stop with Ctrl-C or SIGTERM");
        out.flush();
    }

    private static String url(InetSocketAddress a) {
        return "http://" + new HostPort(a.getAddress().getHostAddress(), a.getPort());
    }

    private static void closeAll(List<DemoUpstream> upstreams) {
        for (DemoUpstream u : upstreams) u.close();
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Reads HOST:PORT options, naming the problem the way the configuration does. */
    static final class HostPortConverter implements CommandLine.ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            try {
                return HostPort.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
