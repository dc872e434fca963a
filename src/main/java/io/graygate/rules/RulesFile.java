package io.graygate.rules;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.graygate.routing.IpEntry;
import io.graygate.routing.IpSet;
import io.graygate.routing.Mode;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of a set of route rules on local disk, shared by the file store and the Redis store's last-known-good
 * snapshot. Written atomically (temporary file, fsync, rename, fsync of the directory); read as a stream, so that a
 * million-entry whitelist does not become a million-node tree.
 */
final class RulesFile {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FORMAT = 1;

    private RulesFile() {
    }

    static void write(Path file, Map<String, RouteRules> routes) {
        Path dir = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            try {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                     OutputStream out = Channels.newOutputStream(ch);
                     JsonGenerator g = JSON.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
                    writeJson(g, routes);
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

    private static void writeJson(JsonGenerator g, Map<String, RouteRules> routes) throws IOException {
        g.writeStartObject();
        g.writeNumberField("format", FORMAT);
        g.writeObjectFieldStart("routes");
        for (Map.Entry<String, RouteRules> e : routes.entrySet()) {
            RouteRules r = e.getValue();
            g.writeObjectFieldStart(e.getKey());
            g.writeStringField("mode", r.mode().text());
            if (r.previousMode() != null) g.writeStringField("previousMode", r.previousMode().text());
            g.writeNumberField("version", r.version());
            g.writeFieldName("whitelist");
            writeEntries(g, r.whitelist());
            if (r.keyWhitelist().key() != null) {
                g.writeObjectFieldStart("whitelistKey");
                g.writeStringField("key", r.keyWhitelist().key());
                g.writeFieldName("entries");
                writeEntries(g, r.keyWhitelist().entries());
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void writeEntries(JsonGenerator g, IpSet entries) throws IOException {
        g.writeStartArray();
        entries.forEach(entry -> {
            try {
                g.writeString(entry.toString());
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        });
        g.writeEndArray();
    }

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
                        out.put(route, readRoute(p, file));
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException(file + ": cannot read the rules file: " + e.getMessage(), e);
        }
        return out;
    }

    private static RouteRules readRoute(JsonParser p, Path file) throws IOException {
        expect(p.currentToken(), JsonToken.START_OBJECT, file);
        Mode mode = Mode.GRAY, previous = null;
        long version = 1;
        IpSet whitelist = IpSet.EMPTY;
        KeyWhitelist keyed = KeyWhitelist.NONE;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "mode" -> mode = Mode.parse(p.getText());
                case "previousMode" -> previous = Mode.parse(p.getText());
                case "version" -> version = p.getLongValue();
                case "whitelist" -> whitelist = readEntries(p, file);
                case "whitelistKey" -> keyed = readKeyWhitelist(p, file);
                default -> p.skipChildren();
            }
        }
        return new RouteRules(mode, previous, whitelist, version, keyed);
    }

    private static KeyWhitelist readKeyWhitelist(JsonParser p, Path file) throws IOException {
        expect(p.currentToken(), JsonToken.START_OBJECT, file);
        String key = null;
        IpSet entries = IpSet.EMPTY;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "key" -> key = p.getText();
                case "entries" -> entries = readEntries(p, file);
                default -> p.skipChildren();
            }
        }
        return key == null ? KeyWhitelist.NONE : new KeyWhitelist(key, entries, 0); // revisions count reads by one process
    }

    private static IpSet readEntries(JsonParser p, Path file) throws IOException {
        expect(p.currentToken(), JsonToken.START_ARRAY, file);
        List<IpEntry> entries = new ArrayList<>();
        while (p.nextToken() == JsonToken.VALUE_STRING) entries.add(IpEntry.parse(p.getText()));
        return IpSet.of(entries);
    }

    private static void expect(JsonToken actual, JsonToken expected, Path file) throws IOException {
        if (actual != expected) throw new IOException("expected " + expected + " but found " + actual + " in " + file);
    }
}
