package io.graygate.proxy;

import ch.qos.logback.classic.Level;
import io.graygate.config.ConfigException;
import io.graygate.testing.DnsStandIn;
import io.graygate.testing.LogCapture;
import io.graygate.testing.Polling;
import io.graygate.testing.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Upstream host names are followed in the background, through a name server stand-in on loopback: a changed address
 * is taken up, every address of a name is used, a failing name server keeps the last addresses (logged once), and a
 * TTL shorter than the interval is honoured. Two upstreams listen on one port of 127.0.0.1 and 127.0.0.2.
 */
class NameFollowingTest {

    @TempDir
    Path dir;

    private static String config(int port, String interval, DnsStandIn dns) {
        return """
                upstreams:
                  production:
                    servers: ["api.test:%d"]
                    resolve: {interval: %s, nameservers: ["%s"], timeout: 500ms}
                routes:
                  - {name: demo, stable: production, gray: production}
                proxy: {accessLog: false}
                """.formatted(port, interval, dns.address());
    }

    @Test
    void aChangedAddressIsFollowedAllAddressesAreUsedAndAFailureKeepsTheLast() {
        try (DnsStandIn dns = DnsStandIn.start();
             TestUpstream a = TestUpstream.start("a", "127.0.0.1");
             TestUpstream b = TestUpstream.start("b", "127.0.0.2", a.port());
             LogCapture logs = LogCapture.of(Level.INFO, NameFollower.class.getName())) {
            dns.set("api.test", 60, "127.0.0.1");
            try (ProxyHarness p = ProxyHarness.start(dir, config(a.port(), "200ms", dns))) {
                assertThat(p.get("/").body()).isEqualTo("a");

                dns.set("api.test", 60, "127.0.0.2");
                Polling.await("requests reach the new address", Duration.ofSeconds(10), () -> p.get("/").body().equals("b"));
                for (int i = 0; i < 20; i++) assertThat(p.get("/").body()).isEqualTo("b");
                assertThat(logs.messages(Level.INFO, "now resolve to")).hasSize(1)
                        .first().asString().contains("api.test/127.0.0.2:" + a.port()).contains("was api.test/127.0.0.1:" + a.port());

                dns.set("api.test", 60, "127.0.0.1", "127.0.0.2");
                Set<String> seen = new HashSet<>();
                Polling.await("both addresses answer", Duration.ofSeconds(10), () -> {
                    seen.add(p.get("/").body());
                    return seen.size() == 2;
                });

                dns.failing(true);
                int before = dns.queries();
                Polling.await("five failed re-resolutions", Duration.ofSeconds(30), () -> dns.queries() >= before + 5);
                assertThat(logs.messages(Level.WARN, "cannot re-resolve api.test")).hasSize(1)
                        .first().asString().contains("keeping api.test/127.0.0.1:" + a.port() + ", api.test/127.0.0.2:" + a.port());
                Set<String> during = new HashSet<>();
                for (int i = 0; i < 20; i++) {
                    var r = p.get("/");
                    assertThat(r.statusCode()).isEqualTo(200);
                    during.add(r.body());
                }
                assertThat(during).containsExactlyInAnyOrder("a", "b");

                dns.failing(false);
                Polling.await("the recovery is logged", Duration.ofSeconds(10), () -> !logs.messages(Level.INFO, "resolve again").isEmpty());
            }
        }
    }

    @Test
    void aTtlShorterThanTheIntervalIsHonoured() {
        try (DnsStandIn dns = DnsStandIn.start();
             TestUpstream a = TestUpstream.start("a", "127.0.0.1");
             TestUpstream b = TestUpstream.start("b", "127.0.0.2", a.port())) {
            dns.set("api.test", 1, "127.0.0.1");
            try (ProxyHarness p = ProxyHarness.start(dir, config(a.port(), "60m", dns))) {
                assertThat(p.get("/").body()).isEqualTo("a");
                dns.set("api.test", 1, "127.0.0.2");
                // The interval is an hour: only the one-second TTL can bring the new address in.
                Polling.await("the TTL brings the new address", Duration.ofSeconds(15), () -> p.get("/").body().equals("b"));
            }
        }
    }

    @Test
    void aNameThatDoesNotResolveAtStartIsRefusedNamingTheServer() {
        try (DnsStandIn dns = DnsStandIn.start()) {
            assertThatThrownBy(() -> ProxyHarness.start(dir, config(8080, "30s", dns)).close())
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("upstreams.production.servers[0]: cannot resolve host \"api.test\"");
        }
    }
}
