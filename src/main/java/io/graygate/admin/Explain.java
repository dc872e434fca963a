package io.graygate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.graygate.routing.ip.ClientAddress;
import io.graygate.routing.Decision;
import io.graygate.routing.Explanation;
import io.graygate.routing.ip.IpAddress;
import io.graygate.routing.ip.IpEntry;
import io.graygate.routing.RequestPath;
import io.graygate.routing.RequestView;
import io.graygate.routing.Route;
import io.graygate.routing.RouteTable;
import io.graygate.rules.RuleBook;

import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * {@code GET /api/explain}: which version a described request would get on a route and why, rule by rule. The request
 * is given as query parameters: {@code ip}, {@code path}, {@code method}, and repeatable {@code header=NAME:VALUE},
 * {@code cookie=NAME=VALUE}, {@code query=NAME=VALUE}; it is decided by the same compiled route the proxy uses.
 */
final class Explain {

    private Explain() {
    }

    static JsonNode explain(Router.Call call, RouteTable table, RuleBook rules) {
        String ipText = call.query("ip");
        if (ipText == null) throw ApiException.badRequest("ip: is required, e.g. /api/explain?route=demo&ip=10.1.2.3");
        IpAddress ip = IpAddress.parse(ipText);
        if (ip == null) throw ApiException.badRequest("ip: not an IP address: \"" + ipText + "\"");
        String routeName = call.query("route");
        String rawPath = call.query("path");
        if (rawPath != null && !rawPath.startsWith("/")) throw ApiException.badRequest("path: must start with '/', got \"" + rawPath + "\"");
        String path = rawPath == null ? null : RequestPath.normalize(rawPath);
        if (rawPath != null && path == null) throw ApiException.badRequest("path: climbs above the root: \"" + rawPath + "\"");
        String method = call.query("method") == null ? "GET" : call.query("method");

        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String h : call.queryAll("header")) {
            int colon = h.indexOf(':');
            if (colon <= 0) throw ApiException.badRequest("header: expected NAME:VALUE, got \"" + h + "\"");
            headers.putIfAbsent(h.substring(0, colon).strip(), h.substring(colon + 1).strip());
        }
        List<String> cookies = call.queryAll("cookie");
        if (!cookies.isEmpty()) {
            StringJoiner cookie = new StringJoiner("; ");
            for (String c : cookies) {
                if (c.indexOf('=') <= 0) throw ApiException.badRequest("cookie: expected NAME=VALUE, got \"" + c + "\"");
                cookie.add(c);
            }
            headers.put("cookie", cookie.toString());
        }
        StringJoiner query = new StringJoiner("&");
        for (String q : call.queryAll("query")) {
            if (q.indexOf('=') <= 0) throw ApiException.badRequest("query: expected NAME=VALUE, got \"" + q + "\"");
            query.add(q);
        }

        Route route;
        if (routeName != null) {
            route = table.route(routeName);
            if (route == null) throw AdminApi.unknownRoute(routeName);
        } else if (path != null) {
            route = table.find(headers.get("host"), path);
            if (route == null) throw ApiException.notFound("no route matches path \"" + path + "\"");
        } else {
            throw ApiException.badRequest("route: is required unless path is given");
        }

        String shownPath = path == null ? "/" : path;
        ExplainedRequest request = new ExplainedRequest(new ClientAddress(ip), headers, method, shownPath,
                query.length() == 0 ? shownPath : shownPath + "?" + query);
        Explanation e = route.explain(request);
        Decision d = e.decision();
        ObjectNode out = AdminApi.JSON.createObjectNode();
        out.put("route", route.name());
        out.put("ip", ip.toString());
        if (path != null) out.put("path", path);
        out.put("method", method);
        out.put("revision", route.revision());
        out.put("mode", route.policy().mode().text());
        out.put("version", d.version());
        out.put("upstream", d.upstream());
        out.put("rule", d.rule());
        out.put("reason", d.reason());
        out.put("override", e.override());
        ArrayNode list = out.putArray("rules");
        for (Explanation.RuleOutcome o : e.rules()) {
            ObjectNode r = list.addObject();
            r.put("rule", o.rule());
            r.put("kind", o.kind());
            r.put("decided", o.decided());
            r.put("condition", o.condition());
            r.put("observed", o.observed());
            if (o.bucket() != null) r.put("bucket", o.bucket());
            if (o.version() != null) r.put("version", o.version());
        }
        IpEntry matched = AdminApi.matchedEntry(rules.state(route.name()), route.policy(), e, ip);
        out.put("matchedEntry", matched == null ? null : matched.toString());
        return out;
    }

    /** A request as the explain call describes it. */
    private record ExplainedRequest(ClientAddress client, Map<String, String> headers, String method, String path, String target)
            implements RequestView {
        @Override
        public String header(CharSequence name) {
            return headers.get(name.toString());
        }
    }
}
