package io.graygate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.graygate.policy.Weights;
import io.graygate.routing.Route;
import io.graygate.routing.RouteTable;
import io.graygate.stats.LiveStats;
import io.graygate.stats.NodeInfo;
import io.graygate.stats.RouteStats;
import io.graygate.stats.StatsScope;
import io.graygate.stats.TrafficCollector;
import io.graygate.stats.VersionStats;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code GET /api/stats} and {@code GET /api/nodes}: the live per-version figures and the nodes' heartbeats, as JSON. */
final class StatsApi {

    private static final Pattern WINDOW = Pattern.compile("(\\d{1,4})(s|m)");

    private final LiveStats stats;
    private final Supplier<RouteTable> routes;

    StatsApi(LiveStats stats, Supplier<RouteTable> routes) {
        this.stats = stats;
        this.routes = routes;
    }

    /** {@code ?route=NAME&window=10s|1m|5m|Ns|Nm&scope=node|cluster}; window 1m and scope cluster by default. */
    JsonNode stats(Router.Call call) {
        String route = call.query("route");
        if (route == null) throw ApiException.badRequest("route: required, e.g. /api/stats?route=demo&window=1m");
        Duration window = window(call.query("window"));
        StatsScope scope = scope(call.query("scope"));
        RouteStats s = stats.query(route, window, scope);
        Route r = routes.get().route(route);
        Map<String, Integer> shares = r == null ? null : TrafficCollector.weights(r);
        ObjectNode out = AdminApi.JSON.createObjectNode();
        out.put("route", s.route());
        out.put("window", describe(s.window()));
        out.put("windowSeconds", s.window().toSeconds());
        out.put("scope", s.scope().name().toLowerCase(Locale.ROOT));
        out.put("nodes", s.nodes());
        ArrayNode versions = out.putArray("versions");
        for (VersionStats v : s.versions()) {
            ObjectNode o = versions.addObject();
            o.put("version", v.version());
            Integer bp = shares == null ? null : shares.get(v.version());
            if (bp == null) o.putNull("weightPercent"); else o.put("weightPercent", new BigDecimal(Weights.percent(bp)));
            o.put("requests", v.requests());
            o.put("errors", v.errors());
            number(o, "requestsPerSecond", v.requestsPerSecond());
            number(o, "errorRatio", v.errorRatio());
            number(o, "p50Millis", v.p50Millis());
            number(o, "p95Millis", v.p95Millis());
            number(o, "p99Millis", v.p99Millis());
        }
        return out;
    }

    JsonNode nodes() {
        ObjectNode out = AdminApi.JSON.createObjectNode();
        out.put("clustered", stats.clustered());
        ArrayNode list = out.putArray("nodes");
        for (NodeInfo n : stats.nodes()) {
            ObjectNode o = list.addObject();
            o.put("id", n.id());
            o.put("self", n.self());
            o.put("address", n.address());
            ArrayNode l = o.putArray("listeners");
            n.listeners().forEach(l::add);
            o.put("graygateVersion", n.graygateVersion());
            ObjectNode revisions = o.putObject("revisions");
            n.revisions().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> revisions.put(e.getKey(), e.getValue()));
            o.put("lastHeartbeat", n.lastHeartbeat().toString());
        }
        return out;
    }

    /** NaN (percentiles of an empty window) as null, the rest rounded to what a reader can use. */
    private static void number(ObjectNode o, String field, double value) {
        if (Double.isNaN(value)) {
            o.putNull(field);
        } else {
            o.put(field, BigDecimal.valueOf(value).setScale(4, java.math.RoundingMode.HALF_UP).stripTrailingZeros());
        }
    }

    static Duration window(String text) {
        if (text == null) return Duration.ofMinutes(1);
        Matcher m = WINDOW.matcher(text.strip());
        if (!m.matches()) throw ApiException.badRequest("window: \"" + text + "\" is not a window; give seconds or minutes, e.g. 10s, 1m, 5m");
        long n = Long.parseLong(m.group(1));
        Duration d = m.group(2).equals("s") ? Duration.ofSeconds(n) : Duration.ofMinutes(n);
        if (d.isZero() || d.compareTo(Duration.ofMinutes(5)) > 0) {
            throw ApiException.badRequest("window: " + text + " is out of range; from 1s to 5m");
        }
        return d;
    }

    private static StatsScope scope(String text) {
        if (text == null || text.equals("cluster")) return StatsScope.CLUSTER;
        if (text.equals("node")) return StatsScope.NODE;
        throw ApiException.badRequest("scope: \"" + text + "\" is not a scope; node or cluster");
    }

    private static String describe(Duration d) {
        long s = d.toSeconds();
        return s % 60 == 0 ? s / 60 + "m" : s + "s";
    }
}
