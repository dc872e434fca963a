package io.graygate.admin;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.graygate.config.GatewayConfig;
import io.graygate.config.ReloadReport;
import io.graygate.config.RouteConfig;
import io.graygate.config.ServerConfig;
import io.graygate.policy.Condition;
import io.graygate.policy.Mode;
import io.graygate.policy.Policy;
import io.graygate.policy.PolicyCodec;
import io.graygate.policy.PolicyRule;
import io.graygate.policy.Weights;
import io.graygate.routing.Explanation;
import io.graygate.routing.ip.IpEntry;
import io.graygate.routing.ip.IpSet;
import io.graygate.routing.Route;
import io.graygate.routing.RouteTable;
import io.graygate.rollout.RolloutController;
import io.graygate.rules.RuleBook;
import io.graygate.rules.RuleChange;
import io.graygate.stats.LiveStats;
import io.graygate.store.HistoryEntry;
import io.graygate.store.KeySet;
import io.graygate.store.RouteState;
import io.graygate.store.StateCodec;
import io.graygate.store.StoreStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.TemporalAccessor;
import java.time.temporal.TemporalAmount;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The admin endpoints: reads and changes of the rule book, as JSON. Runs off the I/O loop, since changes block on the store. */
final class AdminApi {

    static final ObjectMapper JSON = PolicyCodec.JSON;

    /** IPv4 before IPv6 (held as ::ffff:a.b.c.d, IPv4 would otherwise sort after ::1), then by address and prefix. */
    private static final Comparator<IpEntry> ADDRESS_ORDER = Comparator
            .comparing((IpEntry e) -> !e.base().isV4())
            .thenComparing(e -> e.base().hi(), Long::compareUnsigned)
            .thenComparing(e -> e.base().lo(), Long::compareUnsigned)
            .thenComparingInt(IpEntry::prefixLength);

    private final RuleBook rules;
    private final Supplier<ReloadReport> reload;
    private final Router router;
    private final MetricsEndpoint metrics;

    AdminApi(RuleBook rules, Supplier<ReloadReport> reload, LiveStats stats, MetricsEndpoint metrics, RolloutController rollouts) {
        this.reload = reload;
        this.rules = rules;
        this.metrics = metrics;
        StatsApi live = new StatsApi(stats, rules::snapshot);
        this.router = new Router()
                .add(HttpMethod.GET, "/health", call -> health())
                .add(HttpMethod.GET, "/api/routes", call -> routes())
                .add(HttpMethod.GET, "/api/routes/{route}", call -> routeState(routeNamed(call)))
                .add(HttpMethod.GET, "/api/routes/{route}/policy", call -> policy(routeNamed(call)))
                .add(HttpMethod.PUT, "/api/routes/{route}/policy", this::putPolicy)
                .add(HttpMethod.PUT, "/api/routes/{route}/split/{rule}", this::putSplit)
                .add(HttpMethod.GET, "/api/routes/{route}/history", this::history)
                .add(HttpMethod.GET, "/api/routes/{route}/sets", call -> sets(routeNamed(call)))
                .add(HttpMethod.GET, "/api/routes/{route}/sets/{set}", call -> set(routeNamed(call), call.param("set"), false))
                .add(HttpMethod.POST, "/api/routes/{route}/sets/{set}",
                        call -> change(call, RuleChange.addToSet(call.param("set"), readEntries(call.body()))))
                .add(HttpMethod.DELETE, "/api/routes/{route}/sets/{set}",
                        call -> change(call, RuleChange.removeFromSet(call.param("set"), readEntries(call.body()))))
                .add(HttpMethod.GET, "/api/routes/{route}/whitelist", call -> set(routeNamed(call), RouteConfig.WHITELIST, true))
                .add(HttpMethod.POST, "/api/routes/{route}/whitelist",
                        call -> change(call, RuleChange.addToSet(RouteConfig.WHITELIST, readEntries(call.body()))))
                .add(HttpMethod.DELETE, "/api/routes/{route}/whitelist",
                        call -> change(call, RuleChange.removeFromSet(RouteConfig.WHITELIST, readEntries(call.body()))))
                .add(HttpMethod.POST, "/api/routes/{route}/switch",
                        call -> change(call, RuleChange.switchTo(optionalText(call.body(), "version", "{\"version\": \"gray\"}"))))
                .add(HttpMethod.POST, "/api/routes/{route}/promote",
                        call -> change(call, RuleChange.promote(optionalText(call.body(), "version", "{\"version\": \"gray\"}"))))
                .add(HttpMethod.POST, "/api/routes/{route}/rollback", call -> change(call, RuleChange.rollback(readTo(call.body()))))
                .add(HttpMethod.PUT, "/api/routes/{route}/mode", call -> change(call, RuleChange.setMode(readMode(call.body()))))
                .add(HttpMethod.GET, "/api/explain", call -> Explain.explain(call, rules.snapshot(), rules))
                .add(HttpMethod.POST, "/api/reload", call -> JSON.valueToTree(reload.get()))
                .add(HttpMethod.GET, "/api/audit", call -> AuditQuery.answer(call, rules.audit()))
                .add(HttpMethod.GET, "/api/stats", live::stats)
                .add(HttpMethod.GET, "/api/nodes", call -> live.nodes());
        if (rollouts != null) RolloutApi.register(router, rollouts);
    }

    MetricsEndpoint metrics() {
        return metrics;
    }

    JsonNode handle(HttpMethod method, String rawPath, Map<String, List<String>> query, HttpHeaders headers, ByteBuf body, String actor) {
        return router.dispatch(method, rawPath, query, headers, body, actor);
    }

    // --- reads --------------------------------------------------------------------------------------------------

    private JsonNode health() {
        StoreStatus s = rules.store().status();
        ObjectNode out = JSON.createObjectNode();
        // Still 200 when the store is away: requests go on being decided from the last snapshot, only changes wait.
        out.put("status", s.connected() ? "ok" : "degraded");
        out.set("store", storeStatus(s));
        RuleBook.SnapshotInfo snap = rules.snapshotInfo();
        ObjectNode snapshot = out.putObject("snapshot");
        snapshot.put("revision", snap.revision());
        snapshot.put("installedAt", snap.installedAt() == null ? null : snap.installedAt().toString());
        snapshot.put("ageMillis", snap.installedAt() == null ? null : Duration.between(snap.installedAt(), Instant.now()).toMillis());
        out.put("routes", rules.config().routes().size());
        ArrayNode kept = out.putArray("unconfiguredRoutes"); // state the store keeps for routes the configuration dropped
        rules.unconfiguredRoutes().forEach(kept::add);
        return out;
    }

    /** Every component of the store's status record, so that what a store adds to it reaches /health unasked. */
    static ObjectNode storeStatus(StoreStatus status) {
        ObjectNode out = JSON.createObjectNode();
        for (RecordComponent c : StoreStatus.class.getRecordComponents()) {
            Object value;
            try {
                value = c.getAccessor().invoke(status);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("a record accessor is public and takes no argument", e);
            }
            if (value instanceof TemporalAccessor || value instanceof TemporalAmount) {
                out.put(c.getName(), value.toString()); // ISO-8601; plain Jackson has no java.time support
            } else if (c.getName().equals("location") && value instanceof String location) {
                out.put(c.getName(), GatewayConfig.redact(location));
            } else {
                out.set(c.getName(), JSON.valueToTree(value));
            }
        }
        return out;
    }

    private JsonNode routes() {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode list = out.putArray("routes");
        for (RouteConfig rc : rules.config().routes()) list.add(routeState(rc));
        return out;
    }

    private ObjectNode routeState(RouteConfig rc) {
        return routeState(rc, rules.state(rc.name()));
    }

    /**
     * A route's state: its versions, policy, sets and revision, with the first release's fields beside them
     * ({@code stable}, {@code gray}, {@code mode}, {@code previousMode}, {@code whitelistSize}, {@code version}, the
     * revision under its old name) so that existing scripts keep working.
     */
    private ObjectNode routeState(RouteConfig rc, RouteState s) {
        ObjectNode out = JSON.createObjectNode();
        out.put("name", rc.name());
        out.put("pathPrefix", rc.pathPrefix());
        out.put("host", rc.host());
        out.put("upstreamHost", rc.upstreamHost());
        ObjectNode versions = out.putObject("versions");
        rc.versions().forEach((v, c) -> versions.set(v, upstream(c.upstream())));
        out.put("baseline", s.policy().baseline());
        out.put("override", s.policy().override());
        out.set("policy", PolicyCodec.write(s.policy()));
        Route compiled = rules.snapshot().route(rc.name());
        Map<String, Integer> shares = compiled == null ? null : compiled.splitShares();
        if (shares != null) {
            ObjectNode sh = out.putObject("shares");
            shares.forEach((v, bp) -> sh.put(v, new java.math.BigDecimal(Weights.percent(bp))));
        }
        ObjectNode sets = out.putObject("ipSets");
        s.ipSets().forEach((name, set) -> sets.putObject(name).put("size", set.size()));
        s.keySets().forEach((name, k) -> sets.putObject(name).put("size", k.entries().size()).put("redisKey", k.key()));
        out.put("revision", s.revision());
        if (rc.versions().containsKey(RouteConfig.GRAY)) {
            if (rc.versions().containsKey(RouteConfig.PRODUCTION)) out.set("stable", upstream(rc.upstreamOf(RouteConfig.PRODUCTION)));
            out.set("gray", upstream(rc.upstreamOf(RouteConfig.GRAY)));
        }
        out.put("mode", s.policy().mode().text());
        Policy back = rollbackTarget(s);
        out.put("previousMode", back == null || back.mode() == s.policy().mode() ? null : back.mode().text());
        IpSet whitelist = s.ipSets().get(RouteConfig.WHITELIST);
        if (whitelist != null) out.put("whitelistSize", whitelist.size());
        KeySet keyed = s.keySets().get(RouteConfig.WHITELIST_KEY);
        if (keyed != null) out.putObject("whitelistKey").put("key", keyed.key()).put("size", keyed.entries().size());
        out.put("version", s.revision());
        return out;
    }

    /** The policy a plain rollback would restore now, or null when it would fall back to the baseline. */
    private static Policy rollbackTarget(RouteState s) {
        try {
            HistoryEntry e = RuleChange.Rollback.previous(s);
            return e == null ? null : e.policy();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private ObjectNode upstream(String name) {
        ObjectNode out = JSON.createObjectNode();
        out.put("upstream", name);
        ArrayNode servers = out.putArray("servers");
        for (ServerConfig s : rules.config().upstreams().get(name).servers()) servers.add(s.toString());
        return out;
    }

    private JsonNode policy(RouteConfig rc) {
        RouteState s = rules.state(rc.name());
        ObjectNode out = JSON.createObjectNode();
        out.put("route", rc.name());
        out.put("revision", s.revision());
        out.set("policy", PolicyCodec.write(s.policy()));
        ArrayNode versions = out.putArray("versions");
        rc.versionNames().forEach(versions::add);
        ArrayNode sets = out.putArray("ipSets");
        s.allSets().keySet().forEach(sets::add);
        return out;
    }

    private JsonNode history(Router.Call call) {
        RouteConfig rc = routeNamed(call);
        RouteState s = rules.state(rc.name());
        int limit = intParam(call, "limit", RouteState.HISTORY_KEPT);
        ObjectNode out = JSON.createObjectNode();
        out.put("route", rc.name());
        out.put("revision", s.revision());
        ArrayNode list = out.putArray("history");
        List<HistoryEntry> h = s.history();
        for (int i = h.size() - 1; i >= 0 && list.size() < limit; i--) list.add(StateCodec.historyNode(h.get(i)));
        return out;
    }

    private JsonNode sets(RouteConfig rc) {
        RouteState s = rules.state(rc.name());
        ObjectNode out = JSON.createObjectNode();
        out.put("route", rc.name());
        out.put("revision", s.revision());
        ObjectNode sets = out.putObject("sets");
        s.ipSets().forEach((name, set) -> sets.putObject(name).put("size", set.size()));
        s.keySets().forEach((name, k) -> sets.putObject(name).put("size", k.entries().size()).put("redisKey", k.key()));
        return out;
    }

    /** One set's entries; {@code firstRelease} adds {@code version}, the revision under the name the first release's whitelist call gave it. */
    private JsonNode set(RouteConfig rc, String name, boolean firstRelease) {
        RouteState s = rules.state(rc.name());
        IpSet set = s.allSets().get(name);
        if (set == null) throw ApiException.notFound("route " + rc.name() + " has no IP set named \"" + name + "\"; its sets: " + s.allSets().keySet());
        List<IpEntry> entries = new ArrayList<>(set.size());
        set.forEach(entries::add);
        entries.sort(ADDRESS_ORDER); // the set keeps single addresses in hash order; people read lists in address order
        ObjectNode out = JSON.createObjectNode();
        out.put("route", rc.name());
        out.put("set", name);
        if (s.keySets().containsKey(name)) out.put("redisKey", s.keySets().get(name).key());
        ArrayNode list = out.putArray("entries");
        for (IpEntry e : entries) list.add(e.toString());
        out.put("size", entries.size());
        out.put("revision", s.revision());
        if (firstRelease) out.put("version", s.revision());
        return out;
    }

    // --- changes ------------------------------------------------------------------------------------------------

    private JsonNode change(Router.Call call, RuleChange change) {
        RouteConfig rc = routeNamed(call);
        return routeState(rc, rules.apply(rc.name(), change, call.actor()));
    }

    private JsonNode putPolicy(Router.Call call) {
        RouteConfig rc = routeNamed(call);
        Policy p = PolicyCodec.read(readJson(call.body(), "{\"baseline\": \"production\", \"rules\": []}"), "");
        rules.apply(rc.name(), RuleChange.setPolicy(p, ifMatch(call.headers())), call.actor());
        return policy(rc);
    }

    private JsonNode putSplit(Router.Call call) {
        RouteConfig rc = routeNamed(call);
        JsonNode body = readJson(call.body(), "{\"weights\": {\"gray\": 10}}");
        if (!body.isObject()) throw ApiException.badRequest("body: expected a JSON object such as {\"weights\": {\"gray\": 10}}");
        onlyFields(body, "weights");
        if (!body.has("weights")) throw ApiException.badRequest("weights: is required, e.g. {\"weights\": {\"gray\": 10}}");
        Weights w = PolicyCodec.readWeights(body.get("weights"), "weights");
        rules.apply(rc.name(), RuleChange.setSplit(call.param("rule"), w), call.actor());
        return policy(rc);
    }

    /** {@code If-Match: 7} or {@code If-Match: "7"}: the revision a change was made against; null when absent. */
    private static Long ifMatch(HttpHeaders headers) {
        String v = headers.get("if-match");
        if (v == null) return null;
        String t = v.strip();
        if (t.startsWith("W/")) t = t.substring(2);
        if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) t = t.substring(1, t.length() - 1);
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("If-Match: expected the policy's revision, such as \"7\", got " + v);
        }
    }

    private RouteConfig routeNamed(Router.Call call) {
        String name = call.param("route");
        RouteConfig rc = rules.config().route(name);
        if (rc == null) throw unknownRoute(name);
        return rc;
    }

    static ApiException unknownRoute(String name) {
        return ApiException.notFound("route \"" + name + "\" not found");
    }

    private static int intParam(Router.Call call, String name, int fallback) {
        String v = call.query(name);
        if (v == null) return fallback;
        try {
            int n = Integer.parseInt(v);
            if (n < 1) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name + ": expected a positive number, got \"" + v + "\"");
        }
    }

    /** Reads {"entries": [...]} and parses every entry before anything is applied, so one bad entry changes nothing. */
    static List<IpEntry> readEntries(ByteBuf body) {
        JsonNode root = readObject(body, "entries", "{\"entries\": [\"10.1.2.3\", \"10.0.0.0/8\"]}");
        JsonNode entries = root.get("entries");
        if (entries == null || !entries.isArray()) {
            throw ApiException.badRequest("entries: is required, a list of IP addresses or CIDRs");
        }
        if (entries.isEmpty()) throw ApiException.badRequest("entries: is empty; give at least one IP address or CIDR");
        List<IpEntry> parsed = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            JsonNode e = entries.get(i);
            if (!e.isTextual()) throw ApiException.badRequest("entries[" + i + "]: expected a string, got " + e);
            try {
                parsed.add(IpEntry.parse(e.textValue()));
            } catch (IllegalArgumentException ex) {
                throw ApiException.badRequest("entries[" + i + "]: " + ex.getMessage());
            }
        }
        return parsed;
    }

    static Mode readMode(ByteBuf body) {
        JsonNode mode = readObject(body, "mode", "{\"mode\": \"all-gray\"}").get("mode");
        if (mode == null || !mode.isTextual()) {
            throw ApiException.badRequest("mode: is required, one of gray, all-gray, all-production");
        }
        try {
            return Mode.parse(mode.textValue());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("mode: " + e.getMessage());
        }
    }

    /** {"to": REV}, optional: the revision a rollback restores; null for "the one before the last change". */
    static Long readTo(ByteBuf body) {
        if (!body.isReadable()) return null;
        JsonNode to = readObject(body, "to", "{\"to\": 12}").get("to");
        if (to == null || to.isNull()) return null;
        if (!to.canConvertToLong() || !to.isIntegralNumber()) throw ApiException.badRequest("to: expected a revision number, got " + to);
        return to.asLong();
    }

    /** {"FIELD": "text"}, or an empty body: null. */
    static String optionalText(ByteBuf body, String field, String example) {
        if (!body.isReadable()) return null;
        JsonNode v = readObject(body, field, example).get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw ApiException.badRequest(field + ": expected a string, got " + v);
        return v.textValue();
    }

    /** Parses a JSON object body that may hold only {@code field}. */
    private static JsonNode readObject(ByteBuf body, String field, String example) {
        JsonNode root = body.isReadable() ? readJson(body, example) : null;
        if (root == null || !root.isObject()) throw ApiException.badRequest("body: expected a JSON object such as " + example);
        onlyFields(root, field);
        return root;
    }

    private static void onlyFields(JsonNode root, String field) {
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals(field)) throw ApiException.badRequest(name + ": unknown field; expected only \"" + field + "\"");
        }
    }

    /** Parses a JSON body; duplicate keys are refused, naming the key. */
    static JsonNode readJson(ByteBuf body, String example) {
        if (!body.isReadable()) throw ApiException.badRequest("body: is empty; expected JSON such as " + example);
        try {
            return JSON.readTree(new ByteBufInputStream(body.duplicate()));
        } catch (JsonProcessingException e) {
            String duplicate = duplicateKey(e);
            if (duplicate != null) throw ApiException.badRequest(duplicate + ": duplicate key; a key may appear only once");
            throw ApiException.badRequest("body: not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.badRequest("body: cannot be read: " + e.getMessage());
        }
    }

    /** The path of the key a parser refused as given twice ("mode", "weights.gray"), or null for any other problem. */
    private static String duplicateKey(JsonProcessingException e) {
        String original = e.getOriginalMessage();
        if (original == null || !original.startsWith("Duplicate field '")) return null;
        String key = original.substring("Duplicate field '".length(), original.lastIndexOf('\''));
        StringBuilder path = new StringBuilder();
        if (e instanceof JsonParseException pe && pe.getProcessor() != null) {
            for (JsonStreamContext c = pe.getProcessor().getParsingContext().getParent(); c != null && !c.inRoot(); c = c.getParent()) {
                path.insert(0, c.inArray() ? "[" + c.getCurrentIndex() + "]" : "." + c.getCurrentName());
            }
        }
        path.append('.').append(key);
        return path.charAt(0) == '.' ? path.substring(1) : path.toString();
    }

    /** For the explain endpoint: the legacy {@code matchedEntry}, the set entry a client-IP rule matched on. */
    static IpEntry matchedEntry(RouteState s, Policy p, Explanation e, io.graygate.routing.ip.IpAddress ip) {
        if (e.override() != null || e.rules().isEmpty()) return null;
        Explanation.RuleOutcome last = e.rules().get(e.rules().size() - 1);
        if (!last.decided()) return null;
        PolicyRule rule = p.rule(last.rule());
        if (rule instanceof PolicyRule.Match m && m.when() instanceof Condition.ClientIpInSet in) {
            IpSet set = s.allSets().get(in.set());
            return set == null ? null : set.entryCovering(ip);
        }
        return null;
    }

}
