package io.graygate.routing;
import io.graygate.routing.ip.ClientIpResolver;
import io.graygate.routing.ip.IpAddress;
import io.graygate.routing.ip.IpSet;
import io.graygate.routing.ip.ClientAddress;

import io.graygate.config.ConfigLoader;
import io.graygate.config.GatewayConfig;
import io.graygate.config.RouteConfig;
import io.graygate.testing.HeldRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The decision the proxy makes per request (client address from X-Real-IP behind a trusted peer, route match, the
 * policy's rules: an IP set, a header, a cookie, a query parameter, a method, a sticky split) allocates nothing, even
 * before the JIT's escape analysis can help: the resolver writes into a held {@link ClientAddress}, cookies and query
 * parameters are found in place, and the split's bucket is hashed from the key's characters as they lie in the request (UTF-8 worked out on the way, no byte copy). Counted with the JVM's
 * per-thread allocation counter; no timing is involved. JMH's {@code bench/jmh.sh DecisionBenchmark -prof gc}
 * measures the same as gc.alloc.rate.norm.
 */
class DecidingAllocatesNothingTest {

    private static final int DECISIONS = 20_000;

    private static final GatewayConfig CONFIG = ConfigLoader.parse("""
            upstreams:
              v1: {servers: ["127.0.0.1:1"]}
              v2: {servers: ["127.0.0.1:2"]}
              v3: {servers: ["127.0.0.1:3"]}
            routes:
              - {name: site, pathPrefix: /, stable: v1, gray: v2}
              - name: api
                pathPrefix: /api/
                versions: {production: v1, gray: v2, canary: v3}
                baseline: production
                ipSets: {testers: ["10.9.9.9", "10.20.0.0/16", "2001:db8::5", "2001:db8:1::/48"]}
                rules:
                  - {name: testers, when: {clientIp: {inSet: testers}}, to: gray}
                  - {name: beta, when: {header: {name: X-Beta, equals: "on"}}, to: canary}
                  - {name: ab, when: {all: [{cookie: {name: ab, equals: b}}, {method: [GET, HEAD]}]}, to: canary}
                  - {name: flag, when: {query: {name: flag, in: [x, y]}}, to: gray}
                  - {name: ramp, split: {by: {cookie: uid}, weights: {gray: 30, canary: 2.5}}}
            """, Map.of());

    private final RouteTable table = table();
    private final ClientIpResolver resolver = new ClientIpResolver(IpSet.parse(List.of("127.0.0.1/32")));
    private final IpAddress peer = IpAddress.parse("127.0.0.1");

    private static RouteTable table() {
        List<Route> routes = new ArrayList<>();
        for (RouteConfig rc : CONFIG.routes()) {
            Map<String, IpSet> sets = new LinkedHashMap<>();
            rc.ipSets().forEach((n, e) -> sets.put(n, IpSet.parse(e)));
            routes.add(RouteCompiler.compile(rc, rc.policy(), sets, 1));
        }
        return new RouteTable(routes);
    }

    @ParameterizedTest(name = "X-Real-IP {0} -> {1}")
    @CsvSource({"10.9.9.9, gray", "10.20.30.40, gray", "2001:db8::5, gray", "2001:db8:1::77, gray"})
    void aDecisionByAnIpSetAllocatesNothing(String realIp, String version) {
        assertAllocatesNothing(version, () -> request(realIp));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "X-Beta: on                            | canary",
            "Cookie: theme=dark; ab=b; uid=u-1     | canary",
            "Query: /api/orders/42?page=2&flag=y   | gray",
            "Cookie: uid=user-1                    | production",
            "Cookie: uid=user-0                    | gray",
            "Cookie: uid=user-111                  | canary",
            "Cookie: theme=dark                    | gray",  // no uid cookie: the key is the client IP 10.9.9.8, bucket 294
    })
    void aDecisionByAHeaderACookieAQueryOrAStickySplitAllocatesNothing(String what, String version) {
        assertAllocatesNothing(version, () -> {
            HeldRequest c = request("10.9.9.8");
            String value = what.substring(what.indexOf(':') + 1).strip();
            if (what.startsWith("Query:")) c.target(value);
            else c.headers.add(what.substring(0, what.indexOf(':')), value);
            return c;
        });
    }

    private HeldRequest request(String realIp) {
        HeldRequest c = new HeldRequest().target("/api/orders/42");
        c.headers = new DefaultHttpHeaders().add("Host", "example.com").add("X-Real-IP", realIp);
        return c;
    }

    private void assertAllocatesNothing(String version, Supplier<HeldRequest> request) {
        HeldRequest c = request.get();
        for (int i = 0; i < DECISIONS; i++) assertThat(decide(c).version()).isEqualTo(version); // classes loaded, code compiled

        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        long baseline = threads.getThreadAllocatedBytes(thread) - before; // what asking costs, if anything
        before = threads.getThreadAllocatedBytes(thread);
        int expected = 0;
        for (int i = 0; i < DECISIONS; i++) {
            if (decide(c).version().equals(version)) expected++;
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before - baseline;

        assertThat(expected).isEqualTo(DECISIONS);
        // The smallest object is 16 bytes, so one per decision would show as 320,000 here. The JVM itself may allocate
        // a few hundred bytes on this thread while it compiles or deoptimizes the loop, whence not exactly zero.
        assertThat(allocated).as("bytes allocated by %d decisions", DECISIONS).isLessThan(DECISIONS);
    }

    private Decision decide(HeldRequest c) {
        resolver.resolve(peer, c.headers, c.client);
        return table.find("example.com", c.path).decide(c);
    }
}
