package io.graygate.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.graygate.config.GatewayConfig;
import io.graygate.config.ReloadReport;
import io.graygate.config.RouteConfig;
import io.graygate.config.ServerConfig;
import io.graygate.routing.ClientAddress;
import io.graygate.routing.Condition;
import io.graygate.routing.Decision;
import io.graygate.routing.IpAddress;
import io.graygate.routing.IpEntry;
import io.graygate.routing.Mode;
import io.graygate.routing.RequestView;
import io.graygate.routing.Route;
import io.graygate.routing.RouteTable;
import io.graygate.routing.Rule;
import io.graygate.rules.RouteRules;
import io.graygate.rules.RuleBook;
import io.graygate.rules.RuleChange;
import io.graygate.rules.StoreStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.http.HttpMethod;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.time.temporal.TemporalAccessor;
import java.time.temporal.TemporalAmount;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The admin endpoints: reads and changes of the rule book, as JSON. Runs off the I/O loop, since changes block on the store. */
final class AdminApi {

    static final ObjectMapper JSON = new ObjectMapper();

    /** IPv4 before IPv6 (held as ::ffff:a.b.c.d, IPv4 would otherwise sort after ::1), then by address and prefix. */
    private static final Comparator<IpEntry> ADDRESS_ORDER = Comparator
            .comparing((IpEntry e) -> !e.base().isV4())
            .thenComparing(e -> e.base().hi(), Long::compareUnsigned)
            .thenComparing(e -> e.base().lo(), Long::compareUnsigned)
            .thenComparingInt(IpEntry::prefixLength);

    private final RuleBook rules;
    private final Supplier<ReloadReport> reload;
    private final Router router;

    AdminApi(RuleBook rules, Supplier<ReloadReport> reload) {
        this.rules = rules;
        this.reload = reload;
        this.router = new Router()
                .add(HttpMethod.GET, "/health", call -> health())
                .add(HttpMethod.GET, "/api/routes", call -> routes())
                .add(HttpMethod.GET, "/api/routes/{route}", call -> routeState(routeNamed(call)))
                .add(HttpMethod.GET, "/api/routes/{route}/whitelist", call -> whitelist(routeNamed(call)))
                .add(HttpMethod.POST, "/api/routes/{route}/whitelist",
                        call -> apply(routeNamed(call), RuleChange.addToWhitelist(readEntries(call.body()))))
                .add(HttpMethod.DELETE, "/api/routes/{route}/whitelist",
                        call -> apply(routeNamed(call), RuleChange.removeFromWhitelist(readEntries(call.body()))))
                .add(HttpMethod.POST, "/api/routes/{route}/switch", call -> apply(routeNamed(call), RuleChange.switchToGray()))
                .add(HttpMethod.POST, "/api/routes/{route}/rollback", call -> apply(routeNamed(call), RuleChange.rollback()))
                .add(HttpMethod.PUT, "/api/routes/{route}/mode", call -> apply(routeNamed(call), RuleChange.setMode(readMode(call.body()))))
                .add(HttpMethod.GET, "/api/explain", this::explain)
                .add(HttpMethod.POST, "/api/reload", call -> JSON.valueToTree(reload.get()));
    }

    JsonNode handle(HttpMethod method, String rawPath, Map<String, List<String>> query, ByteBuf body) {
        return router.dispatch(method, rawPath, query, body);
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
        ArrayNode kept = out.putArray("unconfiguredRoutes"); // rules the store keeps for routes the configuration dropped
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
        return routeState(rc, rules.rules(rc.name()));
    }

    private ObjectNode routeState(RouteConfig rc, RouteRules rr) {
        ObjectNode out = JSON.createObjectNode();
        out.put("name", rc.name());
        out.put("pathPrefix", rc.pathPrefix());
        out.put("host", rc.host());
        out.put("upstreamHost", rc.upstreamHost());
        out.set("stable", upstream(rc.stable()));
        out.set("gray", upstream(rc.gray()));
        out.put("mode", rr.mode().text());
        out.put("previousMode", rr.previousMode() == null ? null : rr.previousMode().text());
        out.put("whitelistSize", rr.whitelist().size());
        if (rr.keyWhitelist().key() != null) {
            ObjectNode key = out.putObject("whitelistKey");
            key.put("key", rr.keyWhitelist().key());
            key.put("size", rr.keyWhitelist().entries().size());
        }
        out.put("version", rr.version());
        return out;
    }

    private ObjectNode upstream(String name) {
        ObjectNode out = JSON.createObjectNode();
        out.put("upstream", name);
        ArrayNode servers = out.putArray("servers");
        for (ServerConfig s : rules.config().upstreams().get(name).servers()) servers.add(s.toString());
        return out;
    }

    private JsonNode whitelist(RouteConfig rc) {
        RouteRules rr = rules.rules(rc.name());
        List<IpEntry> entries = new ArrayList<>(rr.whitelist().size());
        rr.whitelist().forEach(entries::add);
        entries.sort(ADDRESS_ORDER); // the set keeps single addresses in hash order; people read lists in address order
        ObjectNode out = JSON.createObjectNode();
        out.put("route", rc.name());
        ArrayNode list = out.putArray("entries");
        for (IpEntry e : entries) list.add(e.toString());
        out.put("size", entries.size());
        out.put("version", rr.version());
        return out;
    }

    private JsonNode explain(Router.Call call) {
        String ipText = call.query("ip");
        if (ipText == null) throw ApiException.badRequest("ip: is required, e.g. /api/explain?route=demo&ip=10.1.2.3");
        IpAddress ip = IpAddress.parse(ipText);
        if (ip == null) throw ApiException.badRequest("ip: not an IP address: \"" + ipText + "\"");
        String routeName = call.query("route");
        String path = call.query("path");
        if (path != null && !path.startsWith("/")) throw ApiException.badRequest("path: must start with '/', got \"" + path + "\"");
        RouteTable table = rules.snapshot();
        Route route;
        if (routeName != null) {
            route = table.route(routeName);
            if (route == null) throw unknownRoute(routeName);
        } else if (path != null) {
            route = table.find(call.query("host"), path);
            if (route == null) throw ApiException.notFound("no route matches path \"" + path + "\"");
        } else {
            throw ApiException.badRequest("route: is required unless path is given");
        }

        RequestView request = new ExplainedRequest(new ClientAddress(ip));
        Decision decision = route.decide(request);
        ObjectNode out = JSON.createObjectNode();
        out.put("route", route.name());
        out.put("ip", ip.toString());
        if (path != null) out.put("path", path);
        out.put("mode", route.mode().text());
        out.put("version", decision.version());
        out.put("upstream", decision.upstream());
        out.put("reason", decision.reason());
        IpEntry matched = matchedEntry(route, request, ip);
        out.put("matchedEntry", matched == null ? null : matched.toString());
        return out;
    }

    /** The whitelist entry that sent the request where it went, when a client-IP rule decided. */
    private static IpEntry matchedEntry(Route route, RequestView request, IpAddress ip) {
        if (route.mode() != Mode.GRAY) return null; // the mode decided, not a rule
        for (Rule rule : route.rules()) {
            if (!rule.when().matches(request)) continue;
            if (rule.when() instanceof Condition.ClientIpIn in) return in.whitelist().entryCovering(ip);
            return null;
        }
        return null;
    }

    /** A request reduced to what rules may read, for explanations: just the client address. */
    private record ExplainedRequest(ClientAddress client) implements RequestView {
        @Override
        public String header(CharSequence name) {
            return null;
        }
    }

    // --- changes ------------------------------------------------------------------------------------------------

    private JsonNode apply(RouteConfig rc, RuleChange change) {
        return routeState(rc, rules.apply(rc.name(), change));
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

    /** Reads {"entries": [...]} and parses every entry before anything is applied, so one bad entry changes nothing. */
    static List<IpEntry> readEntries(ByteBuf body) {
        JsonNode entries = readObject(body, "entries", "{\"entries\": [\"10.1.2.3\", \"10.0.0.0/8\"]}").get("entries");
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

    /** Parses a JSON object body that may hold only {@code field}. */
    private static JsonNode readObject(ByteBuf body, String field, String example) {
        JsonNode root;
        try {
            root = body.isReadable() ? JSON.readTree(new ByteBufInputStream(body.duplicate())) : null;
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("body: not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.badRequest("body: cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) throw ApiException.badRequest("body: expected a JSON object such as " + example);
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals(field)) throw ApiException.badRequest(name + ": unknown field; expected only \"" + field + "\"");
        }
        return root;
    }
}
