package io.graygate.rules;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.graygate.routing.IpEntry;
import io.graygate.routing.IpSet;
import io.graygate.routing.Mode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The embedded rule store: one local JSON file, rewritten atomically on every change (temporary file, fsync,
 * rename, fsync of the directory), so that neither a restart nor a crash loses a change that was acknowledged.
 */
public final class FileRuleStore implements RuleStore {

    private static final Logger log = LoggerFactory.getLogger(FileRuleStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FORMAT = 1;

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
        Path dir = file.getParent();
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            try {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                     OutputStream out = java.nio.channels.Channels.newOutputStream(ch);
                     JsonGenerator g = JSON.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
                    writeJson(g);
                    g.flush();
                    ch.force(true);
                }
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true); // makes the rename itself durable
            } catch (IOException ignored) {
                // some file systems do not open directories; the rename is still atomic there
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeJson(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeNumberField("format", FORMAT);
        g.writeObjectFieldStart("routes");
        for (Map.Entry<String, RouteRules> e : routes.entrySet()) {
            RouteRules r = e.getValue();
            g.writeObjectFieldStart(e.getKey());
            g.writeStringField("mode", r.mode().text());
            if (r.previousMode() != null) g.writeStringField("previousMode", r.previousMode().text());
            g.writeNumberField("version", r.version());
            g.writeArrayFieldStart("whitelist");
            r.whitelist().forEach(entry -> {
                try {
                    g.writeString(entry.toString());
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            });
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    /** Reads a rules file; streaming, so that a million-entry whitelist does not become a million-node tree. */
    static Map<String, RouteRules> read(Path file) {
        Map<String, RouteRules> out = new LinkedHashMap<>();
        try (JsonParser p = JSON.getFactory().createParser(file.toFile())) {
            expect(p.nextToken(), JsonToken.START_OBJECT, file);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("routes")) {
                    expect(p.currentToken(), JsonToken.START_OBJECT, file);
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String route = p.currentName();
                        p.nextToken();
                        out.put(route, readRoute(p, file, route));
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(file + ": cannot read the rules file: " + e.getMessage(), e);
        }
        return out;
    }

    private static RouteRules readRoute(JsonParser p, Path file, String route) throws IOException {
        expect(p.currentToken(), JsonToken.START_OBJECT, file);
        Mode mode = Mode.GRAY, previous = null;
        long version = 1;
        List<IpEntry> entries = new ArrayList<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "mode" -> mode = Mode.parse(p.getText());
                case "previousMode" -> previous = Mode.parse(p.getText());
                case "version" -> version = p.getLongValue();
                case "whitelist" -> {
                    expect(p.currentToken(), JsonToken.START_ARRAY, file);
                    while (p.nextToken() == JsonToken.VALUE_STRING) entries.add(IpEntry.parse(p.getText()));
                }
                default -> p.skipChildren();
            }
        }
        return new RouteRules(mode, previous, IpSet.of(entries), version);
    }

    private static void expect(JsonToken actual, JsonToken expected, Path file) throws IOException {
        if (actual != expected) throw new IOException("expected " + expected + " but found " + actual + " in " + file);
    }
}
