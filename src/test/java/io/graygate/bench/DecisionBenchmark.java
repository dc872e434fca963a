package io.graygate.bench;

import io.graygate.config.ConfigLoader;
import io.graygate.config.GatewayConfig;
import io.graygate.routing.ip.ClientAddress;
import io.graygate.routing.ip.ClientIpResolver;
import io.graygate.routing.Decision;
import io.graygate.routing.ip.IpAddress;
import io.graygate.routing.ip.IpEntry;
import io.graygate.routing.ip.IpSet;
import io.graygate.routing.Route;
import io.graygate.routing.RouteTable;
import io.graygate.store.file.FileRuleStore;
import io.graygate.testing.States;
import io.graygate.rules.RuleBook;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The cost of one routing decision as the proxy makes it: the client's address from X-Real-IP behind a trusted peer,
 * the route for host and path, and the route's rules, against a whitelist of 1,000,000 addresses and 100,000 CIDRs
 * loaded by a {@link RuleBook} from a {@link FileRuleStore}.
 *
 * <p>Each case cycles through {@value #REQUESTS} different clients, so that table lookups miss the CPU caches as a
 * busy gateway's would, instead of finding one hot slot.
 */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dlogback.configurationFile=bench/logback-bench.xml"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class DecisionBenchmark {

    static final int REQUESTS = 4096;
    static final int ADDRESSES = 1_000_000;
    static final int CIDRS = 100_000;

    /**
     * address: a listed single IPv4 address; cidr: inside a listed range; miss: listed nowhere; ipv6: a listed IPv6
     * address; xff: a listed IPv4 address in X-Forwarded-For only, behind a second trusted proxy ("a.b.c.d, 192.0.2.10").
     */
    @Param({"address", "cidr", "miss", "ipv6", "xff"})
    public String client;

    private Path dir;
    private RuleBook book;
    private RouteTable table;
    private ClientIpResolver resolver;
    private final IpAddress peer = IpAddress.parse("127.0.0.1");
    private HttpHeaders[] headers;
    private final HeldRequest connection = new HeldRequest();
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        SyntheticWhitelist whitelist = SyntheticWhitelist.generate(ADDRESSES, CIDRS, 42);
        IpSet set = IpSet.of(whitelist.all());
        dir = Files.createTempDirectory("graygate-bench");
        Path rules = dir.resolve("rules.json");
        FileRuleStore seeded = new FileRuleStore(rules);
        seeded.open(Map.of("api", States.legacy(set)), (route, r) -> { });
        seeded.close();

        GatewayConfig config = ConfigLoader.parse(CONFIG.replace("STORE", rules.toString()), Map.of());
        book = new RuleBook(config, new FileRuleStore(rules)).open();
        table = book.snapshot();
        resolver = new ClientIpResolver(config.clientIp().trustedProxySet());
        if (book.state("api").ipSets().get("whitelist").isEmpty()) throw new IllegalStateException("the whitelist did not load");

        List<String> clients = clients(whitelist, set, new Random(7));
        headers = new HttpHeaders[REQUESTS];
        for (int i = 0; i < REQUESTS; i++) {
            HttpHeaders h = new DefaultHttpHeaders();
            h.add(HttpHeaderNames.HOST, "example.com");
            h.add(HttpHeaderNames.USER_AGENT, "Mozilla/5.0 (X11; Linux x86_64) graygate-bench");
            h.add(HttpHeaderNames.ACCEPT, "*/*");
            if (client.equals("xff")) {
                h.add(ClientIpResolver.X_FORWARDED_FOR, clients.get(i) + ", 192.0.2.10");
            } else {
                h.add(ClientIpResolver.X_REAL_IP, clients.get(i));
                h.add(ClientIpResolver.X_FORWARDED_FOR, clients.get(i));
            }
            headers[i] = h;
        }
        String expected = client.equals("miss") ? "production" : "gray";
        for (int i = 0; i < REQUESTS; i++) {
            String version = decide().version();
            if (!version.equals(expected)) {
                throw new IllegalStateException(client + " client " + clients.get(i) + " went to " + version + ", expected " + expected);
            }
        }
    }

    private List<String> clients(SyntheticWhitelist whitelist, IpSet set, Random random) {
        List<String> out = new ArrayList<>(REQUESTS);
        while (out.size() < REQUESTS) {
            switch (client) {
                case "address", "xff" -> {
                    IpEntry e = whitelist.addresses().get(random.nextInt(ADDRESSES * 49 / 50));
                    out.add(e.base().toString());
                }
                case "ipv6" -> {
                    IpEntry e = whitelist.addresses().get(ADDRESSES * 49 / 50 + random.nextInt(ADDRESSES / 50));
                    out.add(e.base().toString());
                }
                case "cidr" -> {
                    IpEntry e = whitelist.cidrs().get(random.nextInt(CIDRS * 9 / 10));
                    int size = 1 << (128 - e.prefixLength());
                    IpAddress a = IpAddress.ofV4(e.base().v4() + random.nextInt(size));
                    if (!set.containsEntry(new IpEntry(a, 128))) out.add(a.toString());
                }
                case "miss" -> {
                    IpAddress a = IpAddress.ofV4(random.nextInt());
                    if (!set.contains(a)) out.add(a.toString());
                }
                default -> throw new IllegalArgumentException("unknown case " + client);
            }
        }
        return out;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        book.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    /** As the proxy decides: the resolver writes the client into the connection handler's ClientAddress in place. */
    @Benchmark
    public Decision decide() {
        HttpHeaders h = headers[next++ & (REQUESTS - 1)];
        HeldRequest c = connection;
        c.headers = h;
        resolver.resolve(peer, h, c.client);
        Route route = table.find("example.com", "/api/orders/42");
        return route.decide(c);
    }

    private static final String CONFIG = """
            listen: 127.0.0.1:0
            store: file:STORE
            clientIp:
              trustedProxies: [127.0.0.1/32, 192.0.2.0/24]
            upstreams:
              production: {servers: ["127.0.0.1:9001"]}
              gray: {servers: ["127.0.0.1:9002"]}
            routes:
              - {name: assets, pathPrefix: /static/, stable: production, gray: gray}
              - {name: back-office, host: admin.example.com, pathPrefix: /, stable: production, gray: gray}
              - {name: api, pathPrefix: /api/, stable: production, gray: gray}
              - {name: site, pathPrefix: /, stable: production, gray: gray, whitelist: [203.0.113.7]}
            """;
}
