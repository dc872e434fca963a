package io.graygate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.graygate.audit.AuditEntry;
import io.graygate.audit.AuditLog;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code GET /api/audit?route=&since=&limit=}: the audit log's entries, newest first. */
final class AuditQuery {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 10_000;
    private static final Pattern AGO = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    private AuditQuery() {
    }

    static JsonNode answer(Router.Call call, AuditLog audit) {
        String route = call.query("route");
        Instant since = since(call.query("since"), Instant.now());
        int limit = limit(call.query("limit"));
        List<AuditEntry> entries;
        try {
            entries = audit.read(route, since, limit);
        } catch (RuntimeException e) {
            throw ApiException.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "audit log unavailable: " + e.getMessage());
        }
        ObjectNode out = AdminApi.JSON.createObjectNode();
        out.put("route", route);
        out.put("since", since == null ? null : since.toString());
        out.put("limit", limit);
        ArrayNode list = out.putArray("entries");
        for (AuditEntry e : entries) {
            list.addObject().put("time", e.time().toString()).put("actor", e.actor()).put("node", e.node()).put("route", e.route())
                    .put("change", e.change()).put("revisionBefore", e.revisionBefore()).put("revisionAfter", e.revisionAfter());
        }
        return out;
    }

    /** An ISO-8601 instant (2026-12-03T10:00:00Z) or how long ago (90s, 15m, 1h, 7d); null when absent. */
    static Instant since(String text, Instant now) {
        if (text == null) return null;
        String t = text.strip();
        Matcher m = AGO.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration ago = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return now.minus(ago);
        }
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("since: expected an ISO-8601 time such as 2026-12-03T10:00:00Z or a duration such as 1h, 15m, 7d; got \"" + text + "\"");
        }
    }

    static int limit(String text) {
        if (text == null) return DEFAULT_LIMIT;
        try {
            int n = Integer.parseInt(text.strip());
            if (n >= 1 && n <= MAX_LIMIT) return n;
        } catch (NumberFormatException e) {
            // the message below
        }
        throw ApiException.badRequest("limit: expected a number from 1 to " + MAX_LIMIT + ", got \"" + text + "\"");
    }
}
