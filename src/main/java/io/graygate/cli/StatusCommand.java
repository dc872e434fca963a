package io.graygate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** {@code graygate status}: the gateway's health, its rule store and every route, as a table. */
@Command(name = "status", description = "Show the gateway's health, rule store and routes.")
final class StatusCommand extends ClientCommand {

    private static final List<String> HEADER = List.of("ROUTE", "MATCH", "POLICY", "IP SETS", "REVISION", "VERSIONS (* baseline)");

    @Override
    int run(AdminClient admin) {
        JsonNode health = admin.get("/health");
        JsonNode routes = admin.get("/api/routes").path("routes");
        JsonNode store = health.path("store");
        int routeCount = health.path("routes").asInt();
        out().println("gateway " + health.path("status").asText() + " (admin " + adminUrl + "), "
                + routeCount + (routeCount == 1 ? " route" : " routes"));
        out().println("store " + store.path("kind").asText() + " " + store.path("location").asText() + ": "
                + (store.path("connected").asBoolean() ? "connected" : "NOT CONNECTED")
                + (store.path("lastSync").isTextual() ? ", last sync " + toSeconds(store.path("lastSync").asText()) : ", never synced")
                + (store.path("detail").isTextual() && !store.path("detail").asText().equals("ok") ? " (" + store.path("detail").asText() + ")" : ""));
        JsonNode snapshot = health.path("snapshot");
        out().println("rules in force: snapshot revision " + snapshot.path("revision").asText()
                + (snapshot.path("ageMillis").isNumber() ? ", put in force " + ago(snapshot.path("ageMillis").asLong()) : "")
                + (store.path("rulesFrom").isTextual() ? ", from " + store.path("rulesFrom").asText() : "")
                + (store.path("syncAgeMillis").isNumber() ? ", store last read " + ago(store.path("syncAgeMillis").asLong()) : ""));
        List<String> unconfigured = new ArrayList<>();
        health.path("unconfiguredRoutes").forEach(r -> unconfigured.add(r.asText()));
        if (!unconfigured.isEmpty()) {
            out().println("rules kept in the store for routes no longer configured: " + String.join(", ", unconfigured));
        }
                List<List<String>> rows = new ArrayList<>();
        rows.add(HEADER);
        for (JsonNode r : routes) {
            rows.add(List.of(
                    r.path("name").asText(),
                    (r.path("host").isTextual() ? r.path("host").asText() : "") + r.path("pathPrefix").asText(),
                    policy(r),
                    sets(r.path("ipSets")),
                    r.path("revision").asText(),
                    versions(r)));
        }
        out().println();
        printTable(rows);
        return 0;
    }

    private static String ago(long millis) {
        return millis < 10_000 ? String.format(java.util.Locale.ROOT, "%.1fs ago", millis / 1000.0) : (millis / 1000) + "s ago";
    }

    private static String toSeconds(String instant) {
        try {
            return Instant.parse(instant).truncatedTo(ChronoUnit.SECONDS).toString();
        } catch (DateTimeParseException e) {
            return instant;
        }
    }

    /** What decides the route's traffic, as the one-line summary says it, without the name and revision. */
    private static String policy(JsonNode r) {
        String s = summary(r);
        s = s.substring(s.indexOf(": ") + 2);
        s = s.replaceAll(", whitelist [0-9]+ entr(y|ies)", "");
        return s.substring(0, s.lastIndexOf(", revision "));
    }

    private static String sets(JsonNode sets) {
        List<String> out = new ArrayList<>();
        sets.fields().forEachRemaining(e -> out.add(e.getKey() + (e.getValue().path("redisKey").isTextual()
                ? "(key " + e.getValue().path("redisKey").asText() + ")" : "") + ":" + e.getValue().path("size").asInt()));
        return out.isEmpty() ? "-" : String.join(" ", out);
    }

    private static String versions(JsonNode r) {
        List<String> out = new ArrayList<>();
        String baseline = r.path("baseline").asText();
        r.path("versions").fields().forEachRemaining(e -> {
            List<String> servers = new ArrayList<>();
            e.getValue().path("servers").forEach(x -> servers.add(x.asText()));
            out.add((e.getKey().equals(baseline) ? "*" : "") + e.getKey() + "=" + e.getValue().path("upstream").asText() + " "
                    + String.join(",", servers));
        });
        return String.join("  ", out);
    }

    private void printTable(List<List<String>> rows) {
        int[] width = new int[HEADER.size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) width[i] = Math.max(width[i], row.get(i).length());
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                line.append(cell);
                if (i < row.size() - 1) line.append(" ".repeat(width[i] - cell.length() + 2));
            }
            out().println(line.toString().stripTrailing());
        }
    }
}
