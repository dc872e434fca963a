package io.graygate.routing;

import io.graygate.testing.HeldRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The decision the proxy makes per request (client address from X-Real-IP behind a trusted peer, route match, rules)
 * allocates nothing, even before the JIT's escape analysis can help: the resolver writes into a held
 * {@link ClientAddress}. Counted with the JVM's per-thread allocation counter; no timing is involved. JMH's
 * {@code bench/jmh.sh DecisionBenchmark -prof gc} measures the same, with the other client-IP cases, as gc.alloc.rate.norm.
 */
class DecidingAllocatesNothingTest {

    private static final int DECISIONS = 20_000;

    private final RouteTable table = new RouteTable(List.of(
            route("site", "/"),
            route("api", "/api/")));
    private final ClientIpResolver resolver = new ClientIpResolver(IpSet.parse(List.of("127.0.0.1/32")));
    private final IpAddress peer = IpAddress.parse("127.0.0.1");

    private static Route route(String name, String prefix) {
        IpSet whitelist = IpSet.parse(List.of("10.9.9.9", "10.20.0.0/16", "2001:db8::5", "2001:db8:1::/48"));
        List<Rule> rules = List.of(new Rule("whitelist", Condition.clientIpIn(whitelist), Route.GRAY));
        return new Route(name, prefix, null, null, Map.of(Route.PRODUCTION, "prod", Route.GRAY, "gray"), Mode.GRAY, rules, 1);
    }

    @ParameterizedTest(name = "X-Real-IP {0} -> {1}")
    @CsvSource({"10.9.9.9, gray", "10.20.30.40, gray", "10.9.9.8, production", "2001:db8::5, gray",
            "2001:db8:1::77, gray", "2001:db8:2::1, production"})
    void aDecisionByXRealIpAllocatesNothing(String realIp, String version) {
        HeldRequest c = new HeldRequest();
        c.headers = new DefaultHttpHeaders().add("Host", "example.com").add("X-Real-IP", realIp);
        for (int i = 0; i < DECISIONS; i++) assertThat(decide(c).version()).isEqualTo(version); // classes loaded, code compiled

        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        long baseline = threads.getThreadAllocatedBytes(thread) - before; // what asking costs, if anything
        before = threads.getThreadAllocatedBytes(thread);
        int gray = 0;
        for (int i = 0; i < DECISIONS; i++) {
            if (decide(c).version() == Route.GRAY) gray++;
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before - baseline;

        assertThat(gray).isEqualTo(version.equals("gray") ? DECISIONS : 0);
        // The smallest object is 16 bytes, so one per decision would show as 320,000 here. The JVM itself may allocate
        // a few hundred bytes on this thread while it compiles or deoptimizes the loop, whence not exactly zero.
        assertThat(allocated).as("bytes allocated by %d decisions", DECISIONS).isLessThan(DECISIONS);
    }

    private Decision decide(HeldRequest c) {
        resolver.resolve(peer, c.headers, c.client);
        return table.find("example.com", "/api/orders/42").decide(c);
    }
}
