package io.graygate.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The whole configuration, read once at start and then immutable. Cross-references are checked here. */
public record GatewayConfig(List<ListenerConfig> listeners, AdminConfig admin, String store, ClientIpConfig clientIp,
                            Map<String, UpstreamConfig> upstreams, List<RouteConfig> routes, ProxyConfig proxy, AuditConfig audit) {

    public static final HostPort DEFAULT_LISTEN = new HostPort("0.0.0.0", 8080);
    public static final String DEFAULT_STORE = "file:./graygate-rules.json";

    /** As read from YAML: one plain {@code listen} address, or a list of {@code listeners}, or neither (the default). */
    @JsonCreator
    public GatewayConfig(@JsonProperty("listen") HostPort listen,
                         @JsonProperty("listeners") List<ListenerConfig> listeners,
                         @JsonProperty("admin") AdminConfig admin,
                         @JsonProperty("store") String store,
                         @JsonProperty("clientIp") ClientIpConfig clientIp,
                         @JsonProperty("upstreams") Map<String, UpstreamConfig> upstreams,
                         @JsonProperty("routes") List<RouteConfig> routes,
                         @JsonProperty("proxy") ProxyConfig proxy,
                         @JsonProperty("audit") AuditConfig audit) {
        this(listenersOf(listen, listeners), admin, store, clientIp, upstreams, routes, proxy, audit);
    }

    public GatewayConfig(List<ListenerConfig> listeners, AdminConfig admin, String store, ClientIpConfig clientIp,
                         Map<String, UpstreamConfig> upstreams, List<RouteConfig> routes, ProxyConfig proxy) {
        this(listeners, admin, store, clientIp, upstreams, routes, proxy, null);
    }

    public GatewayConfig {
        if (listeners != null) {
            for (int i = 0; i < listeners.size(); i++) if (listeners.get(i) == null) throw ConfigException.at("listeners[" + i + "]", "is empty");
        }
        listeners = listeners == null || listeners.isEmpty() ? List.of(ListenerConfig.plain(DEFAULT_LISTEN)) : List.copyOf(listeners);
        admin = admin == null ? AdminConfig.defaults() : admin;
        store = store == null || store.isBlank() ? DEFAULT_STORE : store.strip();
        clientIp = clientIp == null ? ClientIpConfig.defaults() : clientIp;
        upstreams = upstreams == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(upstreams));
        routes = routes == null ? List.of() : List.copyOf(routes);
        proxy = proxy == null ? ProxyConfig.defaults() : proxy;
        audit = audit == null ? AuditConfig.defaults() : audit;
        validate(listeners, store, upstreams, routes);
    }

    private static List<ListenerConfig> listenersOf(HostPort listen, List<ListenerConfig> listeners) {
        if (listeners == null) return listen == null ? null : List.of(ListenerConfig.plain(listen));
        if (listen != null) throw ConfigException.at("listen", "give either listen (one plain address) or listeners, not both");
        if (listeners.isEmpty()) throw ConfigException.at("listeners", "at least one listener is required");
        return listeners;
    }

    /** The first listener's address: the one {@code --listen} replaces and the start banner shows first. */
    public HostPort listen() {
        return listeners.get(0).address();
    }

    private static void validate(List<ListenerConfig> listeners, String store, Map<String, UpstreamConfig> upstreams, List<RouteConfig> routes) {
        Set<HostPort> addresses = new HashSet<>();
        for (int i = 0; i < listeners.size(); i++) {
            ListenerConfig l = listeners.get(i);
            if (l.address().port() != 0 && !addresses.add(l.address())) {
                throw ConfigException.at("listeners[" + i + "].address", "another listener already has " + l.address());
            }
        }
        if (!store.matches("(file|redis|rediss|redis-sentinel):.+")) {
            throw ConfigException.at("store", "expected file:PATH, redis://, rediss:// or redis-sentinel://, got \"" + redact(store) + "\"");
        }
        Set<String> names = new HashSet<>();
        Set<String> matchKeys = new HashSet<>();
        for (int i = 0; i < routes.size(); i++) {
            RouteConfig r = routes.get(i);
            String at = "routes[" + i + "]";
            if (r == null) throw ConfigException.at(at, "is empty");
            if (!names.add(r.name())) throw ConfigException.at(at + ".name", "duplicate route name \"" + r.name() + "\"");
            if (!matchKeys.add(r.host() + " " + r.pathPrefix())) {
                throw ConfigException.at(at + ".pathPrefix", "another route already matches host " + (r.host() == null ? "*" : r.host())
                        + " and prefix \"" + r.pathPrefix() + "\"");
            }
            for (VersionConfig v : r.versions().values()) {
                if (!upstreams.containsKey(v.upstream())) throw ConfigException.at(at + "." + v.source(), "no upstream named \"" + v.upstream() + "\"");
            }
            if (r.readsKeys() && store.startsWith("file:")) {
                String set = r.keyedSets().keySet().iterator().next();
                String key = set.equals(RouteConfig.WHITELIST_KEY) ? "whitelistKey" : "ipSets." + set;
                throw ConfigException.at(at + "." + key, "reads a Redis key, so it needs a Redis store (store: redis://...), not " + store);
            }
        }
        for (Map.Entry<String, UpstreamConfig> e : upstreams.entrySet()) {
            if (e.getValue() == null) throw ConfigException.at("upstreams." + e.getKey(), "is empty");
        }
    }

    public RouteConfig route(String name) {
        for (RouteConfig r : routes) if (r.name().equals(name)) return r;
        return null;
    }

    /** The store URI with any password replaced by ****, for logs and the admin API. */
    public String redactedStore() {
        return redact(store);
    }

    public static String redact(String uri) {
        int start = uri.indexOf("://");
        int at = uri.lastIndexOf('@'); // the last one: a password with an unencoded '@', '/' or '?' is masked whole
        if (start < 0 || at < start) return uri;
        String userInfo = uri.substring(start + 3, at);
        int colon = userInfo.indexOf(':');
        String user = colon < 0 ? "" : userInfo.substring(0, colon) + ":";
        return uri.substring(0, start + 3) + user + "****" + uri.substring(at);
    }

    /** With the first listener moved to {@code l} (its TLS settings kept), as {@code --listen} does. */
    public GatewayConfig withListen(HostPort l) {
        List<ListenerConfig> moved = new java.util.ArrayList<>(listeners);
        moved.set(0, listeners.get(0).withAddress(l));
        return new GatewayConfig(moved, admin, store, clientIp, upstreams, routes, proxy, audit);
    }

    public GatewayConfig withAdminListen(HostPort l) {
        return new GatewayConfig(listeners, new AdminConfig(l, admin.token(), admin.tokens(), admin.metricsWithoutToken()), store, clientIp, upstreams, routes, proxy, audit);
    }

    public GatewayConfig withStore(String s) {
        return new GatewayConfig(listeners, admin, s, clientIp, upstreams, routes, proxy, audit);
    }

    public GatewayConfig withProxy(ProxyConfig p) {
        return new GatewayConfig(listeners, admin, store, clientIp, upstreams, routes, p, audit);
    }

    @Override
    public String toString() {
        return "GatewayConfig[listeners=" + listeners + ", " + admin + ", store=" + redactedStore() + ", upstreams=" + upstreams.keySet()
                + ", routes=" + routes.stream().map(RouteConfig::name).toList() + "]";
    }
}
