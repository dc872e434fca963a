package io.graygate.stats;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a node's heartbeat and samples read on the shared store: JSON, a route's sample of one second as
 * {@code {"VERSION": {"o": [1xx, 2xx, 3xx, 4xx, 5xx, upstream_error], "h": "base64 HdrHistogram"}}}.
 */
final class StatsJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private StatsJson() {
    }

    static String samples(Map<String, SecondSample> byVersion) {
        ObjectNode out = JSON.createObjectNode();
        byVersion.forEach((version, s) -> {
            ObjectNode v = out.putObject(version);
            ArrayNode o = v.putArray("o");
            for (long n : s.outcomes()) o.add(n);
            v.put("h", Base64.getEncoder().encodeToString(s.latency()));
        });
        return write(out);
    }

    /** A route's sample of {@code second} by version; a version whose entry does not read is left out. */
    static Map<String, SecondSample> readSamples(String json, long second) {
        Map<String, SecondSample> out = new LinkedHashMap<>();
        JsonNode root = read(json);
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode o = e.getValue().path("o");
            if (!o.isArray() || o.size() != Outcome.COUNT) continue;
            long[] outcomes = new long[Outcome.COUNT];
            for (int i = 0; i < outcomes.length; i++) outcomes[i] = o.get(i).asLong();
            out.put(e.getKey(), new SecondSample(second, outcomes, Base64.getDecoder().decode(e.getValue().path("h").asText(""))));
        }
        return out;
    }

    static String heartbeat(NodeInfo n) {
        ObjectNode out = JSON.createObjectNode();
        out.put("id", n.id());
        out.put("address", n.address());
        ArrayNode l = out.putArray("listeners");
        n.listeners().forEach(l::add);
        out.put("graygateVersion", n.graygateVersion());
        ObjectNode r = out.putObject("revisions");
        n.revisions().forEach(r::put);
        out.put("heartbeatAt", n.lastHeartbeat().toEpochMilli());
        return write(out);
    }

    static NodeInfo readHeartbeat(String id, String json) {
        JsonNode n = read(json);
        List<String> listeners = new ArrayList<>();
        n.path("listeners").forEach(x -> listeners.add(x.asText()));
        Map<String, Long> revisions = new LinkedHashMap<>();
        n.path("revisions").fields().forEachRemaining(e -> revisions.put(e.getKey(), e.getValue().asLong()));
        return new NodeInfo(id, n.path("address").asText(null), listeners, n.path("graygateVersion").asText(null), revisions,
                Instant.ofEpochMilli(n.path("heartbeatAt").asLong()), false);
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String write(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }
}
