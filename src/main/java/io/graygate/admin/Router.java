package io.graygate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/** Maps "METHOD /path/{param}" templates to endpoints; answers 404 for an unknown path and 405 for a known path with the wrong method. */
final class Router {

    /** One admin endpoint: reads the call, returns the JSON to answer with 200, or throws {@link ApiException}. */
    @FunctionalInterface
    interface Endpoint {
        JsonNode handle(Call call);
    }

    /**
     * One matched request: path parameters, query parameters, the request headers, the body, and who is asking
     * (the actor recorded with any change it makes).
     */
    record Call(Map<String, String> params, Map<String, List<String>> query, HttpHeaders headers, ByteBuf body, String actor) {

        String param(String name) {
            return params.get(name);
        }

        /** Every value of a repeatable query parameter, empty ones skipped. */
        List<String> queryAll(String name) {
            List<String> values = query.getOrDefault(name, List.of());
            return values.stream().filter(v -> !v.isEmpty()).toList();
        }

        /** The first value of a query parameter, or null when absent or empty. */
        String query(String name) {
            List<String> values = query.get(name);
            if (values == null || values.isEmpty() || values.get(0).isEmpty()) return null;
            return values.get(0);
        }
    }

    private record Template(String[] segments, Map<HttpMethod, Endpoint> endpoints) {
    }

    private final List<Template> templates = new ArrayList<>();

    Router add(HttpMethod method, String template, Endpoint endpoint) {
        String[] segments = split(template);
        for (Template t : templates) {
            if (String.join("/", t.segments).equals(String.join("/", segments))) {
                t.endpoints.put(method, endpoint);
                return this;
            }
        }
        Map<HttpMethod, Endpoint> endpoints = new LinkedHashMap<>();
        endpoints.put(method, endpoint);
        templates.add(new Template(segments, endpoints));
        return this;
    }

    /** @param rawPath the path as sent, still percent-encoded, so that an encoded '/' stays inside its segment */
    JsonNode dispatch(HttpMethod method, String rawPath, Map<String, List<String>> query, HttpHeaders headers, ByteBuf body, String actor) {
        String[] segments = split(rawPath);
        // decodeComponent follows form rules, where '+' is a space; in a path it is a plus
        for (int i = 0; i < segments.length; i++) segments[i] = QueryStringDecoder.decodeComponent(segments[i].replace("+", "%2B"));
        String path = "/" + String.join("/", segments);
        for (Template t : templates) {
            Map<String, String> params = match(t.segments, segments);
            if (params == null) continue;
            Endpoint endpoint = t.endpoints.get(method);
            if (endpoint == null) {
                StringJoiner allow = new StringJoiner(", ");
                t.endpoints.keySet().forEach(m -> allow.add(m.name()));
                throw ApiException.methodNotAllowed(method.name(), path, allow.toString());
            }
            return endpoint.handle(new Call(params, query, headers, body, actor));
        }
        throw ApiException.notFound("no such endpoint: " + path);
    }

    private static Map<String, String> match(String[] template, String[] path) {
        if (template.length != path.length) return null;
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            if (t.startsWith("{") && t.endsWith("}")) {
                if (path[i].isEmpty()) return null;
                params.put(t.substring(1, t.length() - 1), path[i]);
            } else if (!t.equals(path[i])) {
                return null;
            }
        }
        return params;
    }

    /** "/api/routes/demo/" becomes [api, routes, demo]: one trailing slash is forgiven. */
    private static String[] split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return p.isEmpty() ? new String[0] : p.split("/", -1);
    }
}
