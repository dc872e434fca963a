package io.graygate.store.file;

import io.graygate.store.Delta;
import io.graygate.store.RouteState;
import io.graygate.store.RuleStore;
import io.graygate.store.StateCodec;
import io.graygate.store.StoreStatus;
import io.graygate.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The embedded rule store: one local JSON file ({@link RulesFile}), rewritten atomically on every change, so that
 * neither a restart nor a crash loses a change that was acknowledged. A file of graygate's first release is migrated
 * on first open (and rewritten in the current format).
 */
public final class FileRuleStore implements RuleStore {

    private static final Logger log = LoggerFactory.getLogger(FileRuleStore.class);

    private final Path file;
    private final Map<String, RouteState> routes = new LinkedHashMap<>();
    private Instant lastWrite;
    private boolean closed;

    public FileRuleStore(Path file) {
        this.file = file.toAbsolutePath().normalize();
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized Map<String, RouteState> open(Map<String, RouteState> seed, ChangeListener listener) {
        boolean rewrite = !Files.exists(file);
        if (!rewrite) {
            StateCodec.Routes read = RulesFile.read(file, seed);
            routes.putAll(read.states());
            log.info("rules loaded from {} ({})", file, routes.size() == 1 ? "1 route" : routes.size() + " routes");
            if (read.format() < StateCodec.FORMAT) {
                log.info("{} was written in store format {}; migrated to format {} (modes became overrides, whitelists the IP set "
                        + "\"whitelist\") and rewritten", file, read.format(), StateCodec.FORMAT);
                rewrite = true;
            }
        }
        for (Map.Entry<String, RouteState> e : seed.entrySet()) {
            if (routes.putIfAbsent(e.getKey(), e.getValue()) == null) {
                rewrite = true;
                log.info("route {} seeded from the configuration", e.getKey());
            }
        }
        if (rewrite) write();
        lastWrite = Instant.now();
        return Map.copyOf(routes);
    }

    @Override
    public synchronized RouteState apply(String route, ChangePlan plan) {
        if (closed) throw new StoreUnavailableException("the rule store is closed", null);
        RouteState current = routes.get(route);
        if (current == null) throw new IllegalArgumentException("no route named \"" + route + "\" in the store");
        Delta delta = plan.plan(current);
        RouteState next = delta.applyTo(current);
        routes.put(route, next);
        try {
            write();
        } catch (UncheckedIOException e) {
            routes.put(route, current);
            throw new StoreUnavailableException("cannot write " + file + ": " + e.getCause().getMessage() + "; the change was not made", e);
        }
        lastWrite = Instant.now();
        return next;
    }

    @Override
    public synchronized RouteState seed(String route, RouteState seed) {
        RouteState held = routes.get(route);
        if (held != null) return held;
        routes.put(route, seed);
        write();
        log.info("route {} seeded from the configuration", route);
        return seed;
    }

    @Override
    public synchronized StoreStatus status() {
        return new StoreStatus("file", !closed, file.toString(), lastWrite, closed ? "closed" : "ok");
    }

    @Override
    public synchronized void close() {
        closed = true; // every change was fsynced when it was made: nothing is left to flush
    }

    private void write() {
        RulesFile.write(file, routes);
    }
}
