package io.graygate.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.graygate.policy.PolicyException;
import io.graygate.policy.Weights;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The one JSON form of rollout specs (as the API, the CLI's file and the store take them; YAML reads into the same
 * tree) and of recorded rollout states. Reading a spec names the path of the first bad field.
 */
public final class RolloutCodec {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> SPEC_FIELDS = Set.of("version", "rule", "steps", "analysis", "onSuccess", "onAbort", "notify", "lease");
    private static final Set<String> ANALYSIS_FIELDS = Set.of("interval", "minRequests", "maxErrorRate", "maxP99", "maxP99Ratio", "failureLimit");

    private RolloutCodec() {
    }

    // ---- specs ----

    /** Reads a spec, bare or under a top-level {@code rollout:} key as in a file. */
    public static RolloutSpec readSpec(JsonNode root) {
        if (root == null || !root.isObject()) throw new PolicyException("", "expected a rollout object such as {version: gray, steps: [...]}");
        if (root.size() == 1 && root.has("rollout")) return readSpec(root.get("rollout"));
        onlyFields(root, SPEC_FIELDS, "");
        String version = text(root, "version", "version");
        String rule = root.hasNonNull("rule") ? text(root, "rule", "rule") : null;
        JsonNode stepsNode = root.get("steps");
        if (stepsNode == null || !stepsNode.isArray()) {
            throw new PolicyException("steps", "is required: a list such as [{weight: 5, pause: 1m}, {weight: 100, pause: 1m}]");
        }
        List<RolloutSpec.Step> steps = new ArrayList<>();
        for (int i = 0; i < stepsNode.size(); i++) {
            String at = "steps[" + i + "]";
            JsonNode s = stepsNode.get(i);
            if (!s.isObject()) throw new PolicyException(at, "expected {weight: PERCENT, pause: DURATION}, got " + s);
            onlyFields(s, Set.of("weight", "pause"), at);
            if (!s.has("weight")) throw new PolicyException(at + ".weight", "is required, a percentage such as 5");
            int weight = percent(s.get("weight"), at + ".weight");
            Duration pause = s.hasNonNull("pause") ? duration(s.get("pause"), at + ".pause") : Duration.ZERO;
            steps.add(new RolloutSpec.Step(weight, pause));
        }
        RolloutSpec.Analysis analysis = root.hasNonNull("analysis") ? readAnalysis(root.get("analysis")) : null;
        RolloutSpec.OnSuccess onSuccess = null;
        if (root.hasNonNull("onSuccess")) {
            String v = text(root, "onSuccess", "onSuccess");
            onSuccess = switch (v) {
                case "switch" -> RolloutSpec.OnSuccess.SWITCH;
                case "hold" -> RolloutSpec.OnSuccess.HOLD;
                default -> throw new PolicyException("onSuccess", "expected switch or hold, got \"" + v + "\"");
            };
        }
        RolloutSpec.OnAbort onAbort = null;
        if (root.hasNonNull("onAbort")) {
            String v = text(root, "onAbort", "onAbort");
            onAbort = switch (v) {
                case "rollback" -> RolloutSpec.OnAbort.ROLLBACK;
                case "stepBack" -> RolloutSpec.OnAbort.STEP_BACK;
                default -> throw new PolicyException("onAbort", "expected rollback or stepBack, got \"" + v + "\"");
            };
        }
        URI notify = null;
        if (root.hasNonNull("notify")) {
            String v = text(root, "notify", "notify");
            try {
                notify = new URI(v);
            } catch (URISyntaxException e) {
                throw new PolicyException("notify", "not a URL: \"" + v + "\"");
            }
        }
        Duration lease = root.hasNonNull("lease") ? duration(root.get("lease"), "lease") : null;
        return new RolloutSpec(version, rule, steps, analysis, onSuccess, onAbort, notify, lease);
    }

    private static RolloutSpec.Analysis readAnalysis(JsonNode a) {
        if (!a.isObject()) throw new PolicyException("analysis", "expected an object such as {interval: 30s, maxErrorRate: 1%}");
        onlyFields(a, ANALYSIS_FIELDS, "analysis");
        RolloutSpec.Analysis d = RolloutSpec.Analysis.defaults();
        Duration interval = a.hasNonNull("interval") ? duration(a.get("interval"), "analysis.interval") : d.interval();
        long minRequests = a.hasNonNull("minRequests") ? integer(a.get("minRequests"), "analysis.minRequests") : d.minRequests();
        int maxErrorRate = a.hasNonNull("maxErrorRate") ? percent(a.get("maxErrorRate"), "analysis.maxErrorRate") : d.maxErrorRate();
        Duration maxP99 = a.hasNonNull("maxP99") ? duration(a.get("maxP99"), "analysis.maxP99") : null;
        Double ratio = null;
        if (a.hasNonNull("maxP99Ratio")) {
            JsonNode r = a.get("maxP99Ratio");
            if (!r.isNumber()) throw new PolicyException("analysis.maxP99Ratio", "expected a number such as 1.5, got " + r);
            ratio = r.doubleValue();
        }
        int failureLimit = a.hasNonNull("failureLimit") ? (int) integer(a.get("failureLimit"), "analysis.failureLimit") : d.failureLimit();
        return new RolloutSpec.Analysis(interval, minRequests, maxErrorRate, maxP99, ratio, failureLimit);
    }

    public static ObjectNode writeSpec(RolloutSpec s) {
        ObjectNode out = NODES.objectNode();
        out.put("version", s.version());
        out.put("rule", s.rule());
        ArrayNode steps = out.putArray("steps");
        for (RolloutSpec.Step st : s.steps()) steps.addObject().put("weight", new BigDecimal(Weights.percent(st.weight()))).put("pause", duration(st.pause()));
        RolloutSpec.Analysis a = s.analysis();
        ObjectNode an = out.putObject("analysis");
        an.put("interval", duration(a.interval()));
        an.put("minRequests", a.minRequests());
        an.put("maxErrorRate", Weights.percent(a.maxErrorRate()) + "%");
        if (a.maxP99() != null) an.put("maxP99", duration(a.maxP99()));
        if (a.maxP99Ratio() != null) an.put("maxP99Ratio", a.maxP99Ratio());
        an.put("failureLimit", a.failureLimit());
        out.put("onSuccess", s.onSuccess().text());
        out.put("onAbort", s.onAbort().text());
        if (s.notifyUrl() != null) out.put("notify", s.notifyUrl().toString());
        out.put("lease", duration(s.lease()));
        return out;
    }

    // ---- recorded states ----

    public static ObjectNode writeState(RolloutState s) {
        ObjectNode out = NODES.objectNode();
        out.put("route", s.route());
        out.put("state", s.phase().text());
        out.put("step", s.step());
        out.put("steps", s.spec().steps().size());
        out.put("weight", new BigDecimal(Weights.percent(s.desiredWeight())));
        out.put("stepElapsedMillis", s.stepElapsedMillis());
        out.put("failures", s.failures());
        out.put("passesInStep", s.passesInStep());
        out.put("reason", s.reason());
        out.put("waitingForTraffic", s.waitingForTraffic());
        out.put("revision", s.revision());
        out.put("settled", s.settled());
        out.put("baseline", s.baseline());
        out.put("startedAt", s.startedAt().toString());
        out.put("updatedAt", s.updatedAt().toString());
        out.put("generation", s.generation());
        out.set("spec", writeSpec(s.spec()));
        ArrayNode analyses = out.putArray("analyses");
        for (AnalysisResult a : s.analyses()) analyses.add(writeAnalysis(a));
        ArrayNode events = out.putArray("events");
        for (RolloutState.Event e : s.events()) {
            events.addObject().put("at", e.at().toString()).put("actor", e.actor()).put("node", e.node()).put("from", e.from()).put("to", e.to())
                    .put("step", e.step()).put("weight", new BigDecimal(Weights.percent(e.weight()))).put("reason", e.reason());
        }
        return out;
    }

    static ObjectNode writeAnalysis(AnalysisResult a) {
        ObjectNode o = NODES.objectNode();
        o.put("at", a.at().toString());
        o.put("step", a.step());
        o.put("weight", new BigDecimal(Weights.percent(a.weight())));
        o.put("verdict", a.verdict().text());
        o.put("requests", a.requests());
        o.put("errors", a.errors());
        o.put("errorRate", Weights.percent(a.errorRate()) + "%");
        putNumber(o, "p99Millis", a.p99Millis());
        o.put("baselineRequests", a.baselineRequests());
        putNumber(o, "baselineP99Millis", a.baselineP99Millis());
        o.put("nodes", a.nodes());
        ObjectNode t = o.putObject("thresholds");
        t.put("minRequests", a.minRequests());
        t.put("maxErrorRate", Weights.percent(a.maxErrorRate()) + "%");
        if (a.maxP99Millis() != null) t.put("maxP99Millis", a.maxP99Millis());
        if (a.maxP99Ratio() != null) t.put("maxP99Ratio", a.maxP99Ratio());
        o.put("reason", a.reason());
        return o;
    }

    private static void putNumber(ObjectNode o, String field, double v) {
        if (Double.isNaN(v)) o.putNull(field);
        else o.put(field, v);
    }

    public static RolloutState readState(JsonNode o) {
        RolloutSpec spec = readSpec(o.get("spec"));
        List<AnalysisResult> analyses = new ArrayList<>();
        for (JsonNode a : o.path("analyses")) {
            JsonNode t = a.path("thresholds");
            analyses.add(new AnalysisResult(Instant.parse(a.get("at").textValue()), a.get("step").intValue(), percent(a.get("weight"), "weight"),
                    AnalysisResult.Verdict.parse(a.get("verdict").textValue()), a.get("requests").longValue(), a.get("errors").longValue(),
                    percent(a.get("errorRate"), "errorRate"), number(a.get("p99Millis")), a.get("baselineRequests").longValue(),
                    number(a.get("baselineP99Millis")), a.get("nodes").intValue(), t.get("minRequests").longValue(),
                    percent(t.get("maxErrorRate"), "maxErrorRate"), t.hasNonNull("maxP99Millis") ? t.get("maxP99Millis").longValue() : null,
                    t.hasNonNull("maxP99Ratio") ? t.get("maxP99Ratio").doubleValue() : null, a.get("reason").textValue()));
        }
        List<RolloutState.Event> events = new ArrayList<>();
        for (JsonNode e : o.path("events")) {
            events.add(new RolloutState.Event(Instant.parse(e.get("at").textValue()), e.get("actor").textValue(), e.get("node").textValue(),
                    e.get("from").textValue(), e.get("to").textValue(), e.get("step").intValue(), percent(e.get("weight"), "weight"),
                    e.get("reason").textValue()));
        }
        return new RolloutState(o.get("route").textValue(), spec, RolloutState.Phase.parse(o.get("state").textValue()), o.get("step").intValue(),
                o.get("stepElapsedMillis").longValue(), o.get("failures").intValue(), o.get("passesInStep").intValue(),
                o.hasNonNull("reason") ? o.get("reason").textValue() : null, o.path("waitingForTraffic").booleanValue(),
                o.get("revision").longValue(), o.get("settled").booleanValue(), o.get("baseline").textValue(),
                Instant.parse(o.get("startedAt").textValue()), Instant.parse(o.get("updatedAt").textValue()), o.get("generation").longValue(),
                analyses, events);
    }

    private static double number(JsonNode n) {
        return n == null || n.isNull() ? Double.NaN : n.doubleValue();
    }

    // ---- values ----

    /** "250ms", "30s", "1.5s", "2m", "1h"; a bare number is seconds. */
    static Duration duration(JsonNode n, String path) {
        if (n.isIntegralNumber()) return Duration.ofSeconds(n.longValue());
        if (!n.isTextual()) throw new PolicyException(path, "expected a duration such as 500ms, 30s or 2m, got " + n);
        try {
            return parseDuration(n.textValue());
        } catch (IllegalArgumentException e) {
            throw new PolicyException(path, e.getMessage());
        }
    }

    /** @throws IllegalArgumentException naming what is wrong */
    public static Duration parseDuration(String text) {
        String s = text.strip();
        try {
            if (s.endsWith("ms")) return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2).strip()));
            if (s.endsWith("s")) return Duration.ofMillis(new BigDecimal(s.substring(0, s.length() - 1).strip()).movePointRight(3).longValueExact());
            if (s.endsWith("m")) return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1).strip()) * 60);
            if (s.endsWith("h")) return Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1).strip()));
        } catch (NumberFormatException | ArithmeticException e) {
            // the message below
        }
        throw new IllegalArgumentException("expected a duration such as 500ms, 30s or 2m, got \"" + text + "\"");
    }

    /** A duration as the configuration writes it: "500ms", "30s", "2m". */
    public static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms % 60_000 == 0 && ms > 0) return ms / 60_000 + "m";
        if (ms % 1000 == 0) return ms / 1000 + "s";
        return ms + "ms";
    }

    private static int percent(JsonNode v, String path) {
        try {
            if (v.isNumber()) return Weights.percentToBasisPoints(new BigDecimal(v.asText()), v.asText());
            if (v.isTextual()) return Weights.parsePercent(v.textValue());
        } catch (IllegalArgumentException e) {
            throw new PolicyException(path, e.getMessage());
        }
        throw new PolicyException(path, "expected a percentage such as 5 or \"1%\", got " + v);
    }

    private static long integer(JsonNode v, String path) {
        if (!v.isIntegralNumber()) throw new PolicyException(path, "expected a whole number, got " + v);
        return v.longValue();
    }

    private static String text(JsonNode o, String field, String path) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) throw new PolicyException(path, "is required");
        if (!v.isTextual()) throw new PolicyException(path, "expected a string, got " + v);
        return v.textValue();
    }

    private static void onlyFields(JsonNode o, Set<String> known, String path) {
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw new PolicyException(path.isEmpty() ? f : path + "." + f, "unknown field; known: " + known.stream().sorted().toList());
            }
        }
    }
}
