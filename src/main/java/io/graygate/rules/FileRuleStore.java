package io.graygate.rules;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The embedded rule store: one local JSON file ({@link RulesFile}), rewritten atomically on every change, so that
 * neither a restart nor a crash loses a change that was acknowledged.
 */
public final class FileRuleStore implements RuleStore {

    private static final Logger log = LoggerFactory.getLogger(FileRuleStore.class);

    private final Path file;
    private final Map<String, RouteRules> routes = new LinkedHashMap<>();
    private Instant lastWrite;
    private boolean closed;

    public FileRuleStore(Path file) {
        this.file = file.toAbsolutePath().normalize();
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized Map<String, RouteRules> open(Map<String, RouteRules> seed, ChangeListener listener) {
        if (Files.exists(file)) {
            routes.putAll(read(file));
            log.info("rules loaded from {} ({} routes)", file, routes.size());
        }
        boolean seeded = false;
        for (Map.Entry<String, RouteRules> e : seed.entrySet()) {
            if (routes.putIfAbsent(e.getKey(), e.getValue()) == null) {
                seeded = true;
                log.info("route {} seeded from the configuration", e.getKey());
            }
        }
        if (seeded || !Files.exists(file)) write();
        lastWrite = Instant.now();
        return Map.copyOf(routes);
    }

    @Override
    public synchronized Map<String, RouteRules> seed(Map<String, RouteRules> seed) {
        if (closed) throw new StoreUnavailableException("the rule store is closed", null);
        Map<String, RouteRules> out = new LinkedHashMap<>();
        List<String> seeded = new ArrayList<>();
        for (Map.Entry<String, RouteRules> e : seed.entrySet()) {
            if (routes.putIfAbsent(e.getKey(), e.getValue()) == null) seeded.add(e.getKey());
            out.put(e.getKey(), routes.get(e.getKey()));
        }
        if (!seeded.isEmpty()) {
            try {
                write();
                seeded.forEach(name -> log.info("route {} seeded from the configuration", name));
            } catch (UncheckedIOException ex) {
                seeded.forEach(routes::remove);
                throw new StoreUnavailableException("cannot write " + file + ": " + ex.getCause().getMessage(), ex);
            }
            lastWrite = Instant.now();
        }
        return out;
    }

    @Override
    public synchronized RouteRules apply(String route, RuleChange change) {
        if (closed) throw new StoreUnavailableException("the rule store is closed", null);
        RouteRules current = routes.get(route);
        if (current == null) throw new IllegalArgumentException("no route named \"" + route + "\" in the store");
        RouteRules next = change.applyTo(current);
        routes.put(route, next);
        try {
            write();
        } catch (UncheckedIOException e) {
            routes.put(route, current);
            throw new StoreUnavailableException("cannot write " + file + ": " + e.getCause().getMessage(), e);
        }
        lastWrite = Instant.now();
        return next;
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

    /** Reads a rules file written by this store. */
    static Map<String, RouteRules> read(Path file) {
        return RulesFile.read(file);
    }
}
