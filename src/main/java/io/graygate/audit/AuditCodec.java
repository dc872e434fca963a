package io.graygate.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/** One audit entry as one JSON object (the file's lines, the admin API's list) or as a Redis stream entry's fields. */
public final class AuditCodec {

    static final ObjectMapper JSON = new ObjectMapper();

    private AuditCodec() {
    }

    /** One line of JSON, no newline. */
    public static String line(AuditEntry e) {
        StringWriter out = new StringWriter(160);
        try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            write(g, e);
        } catch (IOException impossible) {
            throw new IllegalStateException("writing to a string cannot fail", impossible);
        }
        return out.toString();
    }

    public static void write(JsonGenerator g, AuditEntry e) throws IOException {
        g.writeStartObject();
        g.writeStringField("time", e.time().toString());
        g.writeStringField("actor", e.actor());
        g.writeStringField("node", e.node());
        g.writeStringField("route", e.route());
        g.writeStringField("change", e.change());
        g.writeNumberField("revisionBefore", e.revisionBefore());
        g.writeNumberField("revisionAfter", e.revisionAfter());
        g.writeEndObject();
    }

    /** @throws IllegalArgumentException for a line that is not an entry (a torn last line after a crash) */
    public static AuditEntry parse(String line) {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage());
        }
        if (n == null || !n.isObject()) throw new IllegalArgumentException("not a JSON object");
        return fromFields(field(n, "time"), field(n, "actor"), field(n, "node"), field(n, "route"), field(n, "change"),
                field(n, "revisionBefore"), field(n, "revisionAfter"));
    }

    public static Map<String, String> fields(AuditEntry e) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("time", e.time().toString());
        out.put("actor", e.actor());
        out.put("node", e.node());
        out.put("route", e.route());
        out.put("change", e.change());
        out.put("revisionBefore", Long.toString(e.revisionBefore()));
        out.put("revisionAfter", Long.toString(e.revisionAfter()));
        return out;
    }

    public static AuditEntry fromFields(Map<String, String> f) {
        return fromFields(f.get("time"), f.get("actor"), f.get("node"), f.get("route"), f.get("change"),
                f.get("revisionBefore"), f.get("revisionAfter"));
    }

    private static String field(JsonNode n, String name) {
        JsonNode v = n.get(name);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static AuditEntry fromFields(String time, String actor, String node, String route, String change, String before, String after) {
        if (time == null) throw new IllegalArgumentException("no time");
        try {
            return new AuditEntry(Instant.parse(time), actor, node, route, change, Long.parseLong(before), Long.parseLong(after));
        } catch (DateTimeParseException | NumberFormatException | NullPointerException e) {
            throw new IllegalArgumentException("bad field: " + e.getMessage());
        }
    }
}
