package io.graygate.store.redis;

import io.graygate.config.GatewayConfig;
import io.graygate.config.HostPort;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslVerifyMode;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed {@code store:} URI for Redis:
 * <pre>
 * redis://[[user]:password@]host[:port][/db][?params]
 * rediss://...                                             (TLS)
 * redis-sentinel://[[user]:password@]host[:port][,host[:port]...][/db]?masterName=NAME[&amp;params]
 * </pre>
 * Parameters: {@code prefix} (key prefix, default {@code graygate:}), {@code snapshot} (the last-known-good file,
 * default {@code ./graygate-snapshot.json}), {@code timeout} (connect and write timeout, default {@code 1s}),
 * {@code masterName} (Sentinel; Lettuce's {@code sentinelMasterId} and {@code #NAME} are accepted too),
 * {@code verifyPeer} (TLS, default true), {@code minReplicas} (how many replicas must confirm a write before it is
 * acknowledged, with {@code WAIT}; default {@link #AUTO_REPLICAS}: one when the primary has replicas, 0 disables). A lone {@code password@} is a password, as in Lettuce. Reserved characters in
 * the user or password are percent-encoded. {@link #toString()} masks the password.
 */
public record RedisStoreUri(String scheme, List<HostPort> hosts, String username, String password, int database,
                            String masterName, String prefix, Path snapshot, Duration timeout, boolean verifyPeer,
                            int minReplicas) {

    public static final String DEFAULT_PREFIX = "graygate:";
    public static final Path DEFAULT_SNAPSHOT = Path.of("graygate-snapshot.json");
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    /** minReplicas not given: one replica must confirm a write when the primary has any, none when it has none. */
    public static final int AUTO_REPLICAS = -1;

    public RedisStoreUri {
        hosts = List.copyOf(hosts);
    }

    public static RedisStoreUri parse(String uri) {
        String shown = GatewayConfig.redact(uri);
        int schemeEnd = uri.indexOf("://");
        if (schemeEnd < 0) throw problem(shown, "expected redis://, rediss:// or redis-sentinel://");
        String scheme = uri.substring(0, schemeEnd);
        if (!scheme.equals("redis") && !scheme.equals("rediss") && !scheme.equals("redis-sentinel")) {
            throw problem(shown, "unknown scheme \"" + scheme + "\"; expected redis, rediss or redis-sentinel");
        }
        boolean sentinel = scheme.equals("redis-sentinel");
        String rest = uri.substring(schemeEnd + 3);

        String fragment = null;
        int hash = rest.indexOf('#');
        if (hash >= 0) {
            fragment = rest.substring(hash + 1);
            rest = rest.substring(0, hash);
        }
        Map<String, String> params = new LinkedHashMap<>();
        int question = rest.indexOf('?');
        if (question >= 0) {
            for (String pair : rest.substring(question + 1).split("&")) {
                if (pair.isEmpty()) continue;
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                params.put(name, eq < 0 ? "" : decode(pair.substring(eq + 1), shown));
            }
            rest = rest.substring(0, question);
        }

        String username = null, password = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                password = decode(userInfo, shown);
            } else {
                username = colon == 0 ? null : decode(userInfo.substring(0, colon), shown);
                password = decode(userInfo.substring(colon + 1), shown);
            }
            if (password != null && password.isEmpty()) password = null;
        }

        int database = 0;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String db = rest.substring(slash + 1);
            rest = rest.substring(0, slash);
            if (!db.isEmpty()) {
                try {
                    database = Integer.parseInt(db);
                } catch (NumberFormatException e) {
                    database = -1;
                }
                if (database < 0) throw problem(shown, "the database \"" + db + "\" is not a number 0 or more");
            }
        }

        if (rest.isEmpty()) throw problem(shown, "no host");
        List<HostPort> hosts = new ArrayList<>();
        for (String h : rest.split(",")) {
            if (h.isBlank()) throw problem(shown, "an empty host in the host list");
            hosts.add(hostPort(h.strip(), sentinel ? RedisURI.DEFAULT_SENTINEL_PORT : RedisURI.DEFAULT_REDIS_PORT, shown));
        }
        if (!sentinel && hosts.size() > 1) throw problem(shown, "several hosts are only for redis-sentinel://");

        String masterName = params.remove("masterName");
        String lettuceMaster = params.remove("sentinelMasterId");
        if (masterName == null) masterName = lettuceMaster;
        if (masterName == null) masterName = fragment;
        if (sentinel && (masterName == null || masterName.isBlank())) {
            throw problem(shown, "redis-sentinel:// needs the primary's name: ?masterName=NAME");
        }
        if (!sentinel && masterName != null) throw problem(shown, "masterName is only for redis-sentinel://");

        String prefix = params.remove("prefix");
        if (prefix == null) prefix = DEFAULT_PREFIX;
        String snapshotText = params.remove("snapshot");
        if (snapshotText != null && snapshotText.isBlank()) throw problem(shown, "snapshot= needs a file path");
        Path snapshot = snapshotText == null ? DEFAULT_SNAPSHOT : Path.of(snapshotText);
        String timeoutText = params.remove("timeout");
        Duration timeout = timeoutText == null ? DEFAULT_TIMEOUT : duration(timeoutText, shown);
        String verifyText = params.remove("verifyPeer");
        if (verifyText != null && !verifyText.equals("true") && !verifyText.equals("false")) {
            throw problem(shown, "verifyPeer must be true or false, got \"" + verifyText + "\"");
        }
        String replicasText = params.remove("minReplicas");
        int minReplicas = AUTO_REPLICAS;
        if (replicasText != null) {
            try {
                minReplicas = Integer.parseInt(replicasText);
            } catch (NumberFormatException e) {
                minReplicas = -2;
            }
            if (minReplicas < 0) throw problem(shown, "minReplicas must be a number, 0 (no replica need confirm a write) or more, got \"" + replicasText + "\"");
        }
        if (!params.isEmpty()) {
            throw problem(shown, "unknown parameter \"" + params.keySet().iterator().next()
                    + "\"; known: prefix, snapshot, timeout, masterName, verifyPeer, minReplicas");
        }
        return new RedisStoreUri(scheme, hosts, username, password, database, sentinel ? masterName : null, prefix,
                snapshot, timeout, !"false".equals(verifyText), minReplicas);
    }

    public boolean sentinel() {
        return scheme.equals("redis-sentinel");
    }

    public boolean tls() {
        return scheme.equals("rediss");
    }

    /** The Lettuce form, with the password; never log it. */
    RedisURI toLettuce() {
        RedisURI.Builder b;
        if (sentinel()) {
            HostPort first = hosts.get(0);
            b = RedisURI.Builder.sentinel(first.host(), first.port(), masterName);
            for (HostPort h : hosts.subList(1, hosts.size())) b.withSentinel(h.host(), h.port());
        } else {
            b = RedisURI.Builder.redis(hosts.get(0).host(), hosts.get(0).port());
            if (tls()) b.withSsl(true).withVerifyPeer(verifyPeer ? SslVerifyMode.FULL : SslVerifyMode.NONE);
        }
        b.withDatabase(database).withTimeout(timeout).withClientName("graygate");
        if (password != null) {
            if (username != null) b.withAuthentication(username, password);
            else b.withPassword(password.toCharArray());
        }
        return b.build();
    }

    /** The URI as written, password masked; what logs and the admin API show. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(scheme).append("://");
        if (password != null) sb.append(username == null ? "" : username).append(":****@");
        for (int i = 0; i < hosts.size(); i++) sb.append(i == 0 ? "" : ",").append(hosts.get(i));
        sb.append('/').append(database);
        sb.append("?prefix=").append(prefix);
        if (masterName != null) sb.append("&masterName=").append(masterName);
        return sb.toString();
    }

    private static HostPort hostPort(String text, int defaultPort, String shown) {
        boolean bracketed = text.startsWith("[");
        int close = bracketed ? text.indexOf(']') : -1;
        int colon = bracketed ? text.indexOf(':', close) : text.lastIndexOf(':');
        if (!bracketed && text.indexOf(':') != colon) throw problem(shown, "write an IPv6 address in brackets: [" + text + "]");
        String host = colon < 0 ? text : text.substring(0, colon);
        if (bracketed) host = host.substring(1, host.length() - 1);
        int port = defaultPort;
        if (colon >= 0) {
            try {
                port = Integer.parseInt(text.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw problem(shown, "\"" + text + "\" has no valid port");
            }
        }
        try {
            return new HostPort(host, port);
        } catch (IllegalArgumentException e) {
            throw problem(shown, "\"" + text + "\": " + e.getMessage());
        }
    }

    private static Duration duration(String text, String shown) {
        try {
            if (text.endsWith("ms")) return positive(Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2))), text, shown);
            if (text.endsWith("s")) return positive(Duration.ofMillis(Math.round(Double.parseDouble(text.substring(0, text.length() - 1)) * 1000)), text, shown);
        } catch (NumberFormatException e) {
            // the message below says what is expected
        }
        throw problem(shown, "timeout: expected a duration such as 500ms or 2s, got \"" + text + "\"");
    }

    private static Duration positive(Duration d, String text, String shown) {
        if (d.toMillis() < 10) throw problem(shown, "timeout: must be at least 10ms, got \"" + text + "\"");
        return d;
    }

    /** Percent-decoding without URLDecoder's '+' for space, which a password may well contain. */
    private static String decode(String s, String shown) {
        if (s.indexOf('%') < 0) return s;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) throw problem(shown, "a bad %-escape");
                int hi = Character.digit(s.charAt(i + 1), 16), lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) throw problem(shown, "a bad %-escape");
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static IllegalArgumentException problem(String shown, String what) {
        return new IllegalArgumentException("store: " + what + " in \"" + shown + "\"");
    }
}
