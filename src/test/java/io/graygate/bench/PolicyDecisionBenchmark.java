package io.graygate.bench;

import io.graygate.config.ConfigLoader;
import io.graygate.config.GatewayConfig;
import io.graygate.routing.ip.ClientIpResolver;
import io.graygate.routing.Decision;
import io.graygate.routing.ip.IpAddress;
import io.graygate.routing.ip.IpSet;
import io.graygate.routing.Route;
import io.graygate.routing.RouteTable;
import io.graygate.rules.RuleBook;
import io.graygate.store.HistoryEntry;
import io.graygate.store.RouteState;
import io.graygate.store.file.FileRuleStore;
import io.graygate.testing.HeldRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The cost of one decision on a route with the four kinds of rule in order: an IP-set rule against a set of
 * 1,000,000 addresses and 100,000 CIDRs, a header rule, a cookie rule (among other cookies) and a sticky split by a
 * cookie, plus the client address from X-Real-IP and the route match. Each case cycles through {@value #REQUESTS}
 * clients. {@code testers}: decided by the IP set; {@code header}: by X-Beta; {@code cookie}: by the ab cookie;
 * {@code split}: every rule tested, the split's bucket hashed.
 *
 * <pre>bench/jmh.sh PolicyDecisionBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dlogback.configurationFile=bench/logback-bench.xml"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PolicyDecisionBenchmark {

    static final int REQUESTS = 4096;

    @Param({"testers", "header", "cookie", "split"})
    public String decidedBy;

    private Path dir;
    private RuleBook book;
    private RouteTable table;
    private ClientIpResolver resolver;
    private final IpAddress peer = IpAddress.parse("127.0.0.1");
    private HttpHeaders[] headers;
    private final HeldRequest connection = new HeldRequest().target("/shop/cart/42?page=2");
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        SyntheticWhitelist whitelist = SyntheticWhitelist.generate(DecisionBenchmark.ADDRESSES, DecisionBenchmark.CIDRS, 42);
        IpSet set = IpSet.of(whitelist.all());
        dir = Files.createTempDirectory("graygate-bench");
        Path rules = dir.resolve("rules.json");
        GatewayConfig config = ConfigLoader.parse(CONFIG.replace("STORE", rules.toString()), Map.of());
        var rc = config.route("shop");
        RouteState seeded = new RouteState(1, rc.policy(), Map.of("testers", set),
                List.of(new HistoryEntry(1, Instant.now(), "bench", "seeded", rc.policy(), null)), Map.of());
        FileRuleStore store = new FileRuleStore(rules);
        store.open(Map.of("shop", seeded), (r, s) -> { });
        store.close();
        book = new RuleBook(config, new FileRuleStore(rules)).open();
        table = book.snapshot();
        resolver = new ClientIpResolver(config.clientIp().trustedProxySet());

        Random random = new Random(7);
        headers = new HttpHeaders[REQUESTS];
        for (int i = 0; i < REQUESTS; i++) {
            HttpHeaders h = new DefaultHttpHeaders();
            h.add(HttpHeaderNames.HOST, "example.com");
            h.add(HttpHeaderNames.USER_AGENT, "Mozilla/5.0 (X11; Linux x86_64) graygate-bench");
            h.add(HttpHeaderNames.ACCEPT, "*/*");
            String client = decidedBy.equals("testers")
                    ? whitelist.addresses().get(random.nextInt(DecisionBenchmark.ADDRESSES * 49 / 50)).base().toString()
                    : miss(set, random);
            h.add(ClientIpResolver.X_REAL_IP, client);
            if (decidedBy.equals("header")) h.add("X-Beta", "on");
            String uid = "uid=" + Long.toHexString(random.nextLong());
            h.add(HttpHeaderNames.COOKIE, "theme=dark; lang=en-GB; " + (decidedBy.equals("cookie") ? "ab=b; " : "ab=a; ") + uid);
            headers[i] = h;
        }
        String expectedRule = switch (decidedBy) {
            case "testers" -> "testers";
            case "header" -> "beta";
            case "cookie" -> "ab";
            default -> "ramp";
        };
        for (int i = 0; i < REQUESTS; i++) {
            Decision d = decide();
            if (!d.rule().equals(expectedRule)) throw new IllegalStateException(decidedBy + ": decided by " + d.rule() + ", expected " + expectedRule);
        }
    }

    private static String miss(IpSet set, Random random) {
        while (true) {
            IpAddress a = IpAddress.ofV4(random.nextInt());
            if (!set.contains(a) && set.entryCovering(a) == null) return a.toString();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        book.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    /** As the proxy decides: the resolver writes the client in place; cookies are found inside their header. */
    @Benchmark
    public Decision decide() {
        HttpHeaders h = headers[next++ & (REQUESTS - 1)];
        HeldRequest c = connection;
        c.headers = h;
        resolver.resolve(peer, h, c.client);
        Route route = table.find("example.com", "/shop/cart/42");
        return route.decide(c);
    }

    private static final String CONFIG = """
            listen: 127.0.0.1:0
            store: file:STORE
            clientIp:
              trustedProxies: [127.0.0.1/32]
            upstreams:
              v1: {servers: ["127.0.0.1:9001"]}
              v2: {servers: ["127.0.0.1:9002"]}
              v3: {servers: ["127.0.0.1:9003"]}
            routes:
              - {name: assets, pathPrefix: /static/, stable: v1, gray: v2}
              - {name: api, pathPrefix: /api/, stable: v1, gray: v2}
              - name: shop
                pathPrefix: /shop/
                versions: {production: v1, gray: v2, canary: v3}
                ipSets: {testers: []}
                rules:
                  - {name: testers, when: {clientIp: {inSet: testers}}, to: gray}
                  - {name: beta, when: {header: {name: X-Beta, equals: "on"}}, to: gray}
                  - {name: ab, when: {all: [{cookie: {name: ab, equals: b}}, {method: [GET, HEAD]}]}, to: canary}
                  - {name: ramp, split: {by: {cookie: uid}, weights: {gray: 10, canary: 2.5}}}
              - {name: site, pathPrefix: /, stable: v1, gray: v2}
            """;

}
