package io.graygate.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.graygate.policy.Condition;
import io.graygate.policy.Mode;
import io.graygate.policy.Policy;
import io.graygate.policy.PolicyCodec;
import io.graygate.policy.PolicyRule;
import io.graygate.routing.ip.IpEntry;
import io.graygate.routing.ip.IpSet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one versioned JSON form of route state, shared by the file store, the Redis store and the Redis store's
 * last-known-good snapshot: whole states (streamed, so a million-entry set never becomes a million-node tree),
 * history entries, policies and the deltas that change notices carry. Format 2; format 1 (graygate's first release:
 * a mode and a whitelist per route) is read and migrated.
 */
public final class StateCodec {

    public static final int FORMAT = 2;

    private StateCodec() {
    }

    // ---- whole states: {"format": 2, "routes": {NAME: STATE}} ----

    public static void writeRoutes(JsonGenerator g, Map<String, RouteState> routes) throws IOException {
        g.writeStartObject();
        g.writeNumberField("format", FORMAT);
        g.writeObjectFieldStart("routes");
        for (Map.Entry<String, RouteState> e : routes.entrySet()) {
            g.writeFieldName(e.getKey());
            writeState(g, e.getValue());
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    public static void writeState(JsonGenerator g, RouteState s) throws IOException {
        g.writeStartObject();
        g.writeNumberField("revision", s.revision());
        g.writeFieldName("policy");
        g.writeTree(PolicyCodec.write(s.policy()));
        g.writeObjectFieldStart("ipSets");
        for (Map.Entry<String, IpSet> set : s.ipSets().entrySet()) {
            g.writeFieldName(set.getKey());
            writeEntries(g, set.getValue());
        }
        g.writeEndObject();
        if (!s.keySets().isEmpty()) {
            g.writeObjectFieldStart("keySets");
            for (Map.Entry<String, KeySet> k : s.keySets().entrySet()) {
                g.writeObjectFieldStart(k.getKey());
                g.writeStringField("key", k.getValue().key());
                g.writeFieldName("entries");
                writeEntries(g, k.getValue().entries());
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        g.writeArrayFieldStart("history");
        for (HistoryEntry h : s.history()) g.writeTree(historyNode(h));
        g.writeEndArray();
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

    /**
     * Reads what {@link #writeRoutes} wrote, or a format-1 file of graygate's first release, which is migrated: the
     * route's mode becomes its override, its whitelist the IP set "whitelist", its version the revision, and the rest
     * of the policy is the configuration's ({@code seeds}), or the first release's only rule for a route the
     * configuration no longer has.
     */
    public static Routes readRoutes(JsonParser p, Map<String, RouteState> seeds) throws IOException {
        expect(p.nextToken(), JsonToken.START_OBJECT);
        Map<String, RouteState> out = new LinkedHashMap<>();
        int format = 1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            if (field.equals("format")) {
                format = p.getIntValue();
                if (format > FORMAT) throw new IOException("format " + format + " was written by a newer graygate (this one reads up to " + FORMAT + ")");
            } else if (field.equals("routes")) {
                expect(p.currentToken(), JsonToken.START_OBJECT);
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String route = p.currentName();
                    p.nextToken();
                    // Each file states its format before its routes (writeRoutes does): the first release wrote 1.
                    out.put(route, format >= 2 ? readState(p) : readFormat1(p, seeds.get(route)));
                }
            } else {
                p.skipChildren();
            }
        }
        return new Routes(format, out);
    }

    /** Route states as read, and the format they were written in (older ones were migrated while reading). */
    public record Routes(int format, Map<String, RouteState> states) {
    }

    public static RouteState readState(JsonParser p) throws IOException {
        expect(p.currentToken(), JsonToken.START_OBJECT);
        long revision = 1;
        Policy policy = null;
        Map<String, IpSet> sets = new LinkedHashMap<>();
        Map<String, KeySet> keys = new LinkedHashMap<>();
        List<HistoryEntry> history = new ArrayList<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "revision" -> revision = p.getLongValue();
                case "policy" -> policy = PolicyCodec.read(p.readValueAsTree(), "policy");
                case "ipSets" -> {
                    expect(p.currentToken(), JsonToken.START_OBJECT);
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String name = p.currentName();
                        p.nextToken();
                        sets.put(name, readEntries(p));
                    }
                }
                case "keySets" -> {
                    expect(p.currentToken(), JsonToken.START_OBJECT);
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String name = p.currentName();
                        p.nextToken();
                        keys.put(name, readKeySet(p));
                    }
                }
                case "history" -> {
                    expect(p.currentToken(), JsonToken.START_ARRAY);
                    while (p.nextToken() == JsonToken.START_OBJECT) history.add(history((JsonNode) p.readValueAsTree()));
                }
                default -> p.skipChildren();
            }
        }
        if (policy == null) throw new IOException("a route state without a policy");
        return new RouteState(revision, policy, sets, history, keys);
    }

    private static RouteState readFormat1(JsonParser p, RouteState seed) throws IOException {
        expect(p.currentToken(), JsonToken.START_OBJECT);
        Mode mode = Mode.GRAY;
        Mode previous = null;
        long version = 1;
        IpSet whitelist = IpSet.EMPTY;
        KeySet keyed = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "mode" -> mode = Mode.parse(p.getText());
                case "version" -> version = p.getLongValue();
                case "whitelist" -> whitelist = readEntries(p);
                case "previousMode" -> previous = p.currentToken() == JsonToken.VALUE_NULL ? null : Mode.parse(p.getText());
                case "whitelistKey" -> keyed = readKeySet(p);
                default -> p.skipChildren();
            }
        }
        return migrate(seed, new Legacy(version, mode, previous, whitelist), keyed);
    }

    /** A route of graygate's first release: its version, mode, previous mode (null when none) and whitelist. */
    public record Legacy(long version, Mode mode, Mode previousMode, IpSet whitelist) {
    }

    /**
     * A route of graygate's first release as a state of this one; see {@link #readRoutes}. Its previous mode, when it
     * had one, becomes the revision before (so a rollback after the migration returns to it, as it did before).
     */
    public static RouteState migrate(RouteState seed, Legacy legacy, KeySet keyed) {
        Policy base = seed != null ? seed.policy() : new Policy("production", null,
                List.of(new PolicyRule.Match("whitelist", new Condition.ClientIpInSet("whitelist"), "gray")));
        Policy policy = inMode(base, legacy.mode());
        Map<String, IpSet> sets = new LinkedHashMap<>(seed != null ? seed.ipSets() : Map.of());
        sets.put("whitelist", legacy.whitelist());
        Map<String, KeySet> keys = new LinkedHashMap<>(seed != null ? seed.keySets() : Map.of());
        if (keyed != null) keys.put("whitelistKey", keyed);
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        List<HistoryEntry> history = new ArrayList<>(2);
        Mode previous = legacy.previousMode();
        if (previous != null && previous != legacy.mode() && legacy.version() > 1) {
            history.add(new HistoryEntry(legacy.version() - 1, now, "migration", "mode " + previous
                    + " (the previous mode kept by graygate's first store format)", inMode(base, previous), null));
        }
        history.add(new HistoryEntry(legacy.version(), now, "migration", "migrated from graygate's first store format (mode "
                + legacy.mode() + ", whitelist " + legacy.whitelist().size() + " entries)", policy, null));
        return new RouteState(legacy.version(), policy, sets, history, keys);
    }

    private static Policy inMode(Policy base, Mode mode) {
        return base.withOverride(switch (mode) {
            case GRAY -> null;
            case ALL_GRAY -> "gray";
            case ALL_PRODUCTION -> base.baseline();
        });
    }

    private static KeySet readKeySet(JsonParser p) throws IOException {
        expect(p.currentToken(), JsonToken.START_OBJECT);
        String key = null;
        IpSet entries = IpSet.EMPTY;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "key" -> key = p.getText();
                case "entries" -> entries = readEntries(p);
                default -> p.skipChildren();
            }
        }
        if (key == null) throw new IOException("a key set without its key");
        return new KeySet(key, entries, 0); // read revisions count reads by one process
    }

    private static IpSet readEntries(JsonParser p) throws IOException {
        expect(p.currentToken(), JsonToken.START_ARRAY);
        List<IpEntry> entries = new ArrayList<>();
        while (p.nextToken() == JsonToken.VALUE_STRING) entries.add(IpEntry.parse(p.getText()));
        return IpSet.of(entries);
    }

    private static void expect(JsonToken actual, JsonToken expected) throws IOException {
        if (actual != expected) throw new IOException("expected " + expected + " but found " + actual);
    }

    // ---- history entries ----

    public static ObjectNode historyNode(HistoryEntry h) {
        ObjectNode o = PolicyCodec.JSON.createObjectNode();
        o.put("revision", h.revision());
        o.put("at", h.at().toString());
        o.put("actor", h.actor());
        o.put("change", h.change());
        o.set("policy", PolicyCodec.write(h.policy()));
        if (h.restored() != null) o.put("restored", h.restored());
        return o;
    }

    public static HistoryEntry history(JsonNode o) {
        return new HistoryEntry(o.path("revision").asLong(), Instant.parse(o.path("at").asText()), o.path("actor").asText(),
                o.path("change").asText(), PolicyCodec.read(o.path("policy"), "policy"),
                o.hasNonNull("restored") ? o.get("restored").asLong() : null);
    }

    public static String historyJson(HistoryEntry h) {
        return historyNode(h).toString();
    }

    public static HistoryEntry history(String json) {
        return history(tree(json));
    }

    // ---- policies ----

    public static String policyJson(Policy p) {
        return PolicyCodec.write(p).toString();
    }

    public static Policy policy(String json) {
        return PolicyCodec.read(tree(json), "policy");
    }

    // ---- deltas: {"from": N, "added": {SET: [...]}, "removed": {SET: [...]}, "entry": HISTORY} ----

    public static ObjectNode deltaNode(Delta d) {
        ObjectNode o = PolicyCodec.JSON.createObjectNode();
        o.put("from", d.from());
        o.set("added", entriesNode(d.added()));
        o.set("removed", entriesNode(d.removed()));
        o.set("entry", historyNode(d.entry()));
        return o;
    }

    public static Delta delta(JsonNode o) {
        return new Delta(o.path("from").asLong(), entries(o.path("added")), entries(o.path("removed")), history(o.path("entry")));
    }

    private static ObjectNode entriesNode(Map<String, List<IpEntry>> m) {
        ObjectNode o = PolicyCodec.JSON.createObjectNode();
        m.forEach((set, list) -> {
            ArrayNode a = o.putArray(set);
            list.forEach(e -> a.add(e.toString()));
        });
        return o;
    }

    private static Map<String, List<IpEntry>> entries(JsonNode o) {
        Map<String, List<IpEntry>> out = new LinkedHashMap<>();
        o.fields().forEachRemaining(f -> {
            List<IpEntry> list = new ArrayList<>(f.getValue().size());
            f.getValue().forEach(e -> list.add(IpEntry.parse(e.asText())));
            out.put(f.getKey(), list);
        });
        return out;
    }

    public static JsonNode tree(String json) {
        try {
            return PolicyCodec.JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
        }
    }
}
