package io.graygate.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The whole configuration, read once at start and then immutable. Cross-references are checked here. */
public record GatewayConfig(HostPort listen, AdminConfig admin, String store, ClientIpConfig clientIp,
                            Map<String, UpstreamConfig> upstreams, List<RouteConfig> routes, ProxyConfig proxy) {

    public static final HostPort DEFAULT_LISTEN = new HostPort("0.0.0.0", 8080);
    public static final String DEFAULT_STORE = "file:./graygate-rules.json";

    @JsonCreator
    public GatewayConfig(@JsonProperty("listen") HostPort listen,
                         @JsonProperty("admin") AdminConfig admin,
                         @JsonProperty("store") String store,
                         @JsonProperty("clientIp") ClientIpConfig clientIp,
                         @JsonProperty("upstreams") Map<String, UpstreamConfig> upstreams,
                         @JsonProperty("routes") List<RouteConfig> routes,
                         @JsonProperty("proxy") ProxyConfig proxy) {
        this.listen = listen == null ? DEFAULT_LISTEN : listen;
        this.admin = admin == null ? AdminConfig.defaults() : admin;
        this.store = store == null || store.isBlank() ? DEFAULT_STORE : store.strip();
        this.clientIp = clientIp == null ? ClientIpConfig.defaults() : clientIp;
        this.upstreams = upstreams == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(upstreams));
        this.routes = routes == null ? List.of() : List.copyOf(routes);
        this.proxy = proxy == null ? ProxyConfig.defaults() : proxy;
        validate();
    }

    private void validate() {
        if (!store.matches("(file|redis|rediss|redis-sentinel):.+")) {
            throw ConfigException.at("store", "expected file:PATH, redis://, rediss:// or redis-sentinel://, got \"" + redactedStore() + "\"");
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

    public GatewayConfig withListen(HostPort l) {
        return new GatewayConfig(l, admin, store, clientIp, upstreams, routes, proxy);
    }

    public GatewayConfig withAdminListen(HostPort l) {
        return new GatewayConfig(listen, new AdminConfig(l, admin.token()), store, clientIp, upstreams, routes, proxy);
    }

    public GatewayConfig withStore(String s) {
        return new GatewayConfig(listen, admin, s, clientIp, upstreams, routes, proxy);
    }

    public GatewayConfig withProxy(ProxyConfig p) {
        return new GatewayConfig(listen, admin, store, clientIp, upstreams, routes, p);
    }

    @Override
    public String toString() {
        return "GatewayConfig[listen=" + listen + ", " + admin + ", store=" + redactedStore() + ", upstreams=" + upstreams.keySet()
                + ", routes=" + routes.stream().map(RouteConfig::name).toList() + "]";
    }
}
