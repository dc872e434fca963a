package io.graygate.proxy;

import io.graygate.rules.RuleChange;
import io.graygate.testing.RawHttpClient;
import io.graygate.testing.TestUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Which upstream answers, by client address: direct peers, trusted proxies' headers, CIDRs, IPv6, rule changes. */
class ProxyRoutingTest {

    @TempDir
    static Path dir;

    static TestUpstream production;
    static TestUpstream gray;
    static ProxyHarness proxy;

    @BeforeAll
    static void start() {
        production = TestUpstream.start("production");
        gray = TestUpstream.start("gray");
        proxy = ProxyHarness.start(dir, ProxyHarness.twoGroups(production.hostPort(), gray.hostPort(), """
                whitelist: [192.168.2.165, 10.1.0.0/16, "2001:db8::/32", 127.0.0.3]
                """, """
                clientIp:
                  trustedProxies: [127.0.0.1]
                proxy:
                  versionHeader: true
                """));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        production.close();
        gray.close();
    }

    private static String answerFor(String from, String extraHeaders) {
        try (RawHttpClient c = RawHttpClient.connect(proxy.address(), from)) {
            RawHttpClient.Response r = c.send("GET /who HTTP/1.1\r\nHost: app.test\r\n" + extraHeaders + "\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("x-graygate-version")).isEqualTo(r.bodyText()); // the upstreams answer their version's name
            return r.bodyText();
        }
    }

    @ParameterizedTest(name = "X-Real-IP {0} from a trusted proxy goes to {1}")
    @CsvSource({
            "192.168.2.165, gray",
            "192.168.2.1, production",      // a prefix of a listed address is not that address
            "192.168.2.16, production",
            "10.1.200.7, gray",             // inside 10.1.0.0/16
            "10.2.0.1, production",
            "2001:db8::1, gray",            // inside 2001:db8::/32
            "2001:db9::1, production",
            "not-an-address, production",   // ignored: the trusted proxy itself is the client
    })
    void trustedProxysRealIpHeaderDecides(String realIp, String expected) {
        assertThat(answerFor("127.0.0.1", "X-Real-IP: " + realIp + "\r\n")).isEqualTo(expected);
    }

    @Test
    void forwardedForIsWalkedRightToLeftPastTrustedProxies() {
        assertThat(answerFor("127.0.0.1", "X-Forwarded-For: 192.168.2.165, 127.0.0.1\r\n")).isEqualTo("gray");
        assertThat(answerFor("127.0.0.1", "X-Forwarded-For: 192.168.2.165, 10.9.9.9\r\n")).isEqualTo("production");
    }

    @Test
    void headersFromAnUntrustedPeerAreIgnored() {
        assertThat(answerFor("127.0.0.2", "X-Real-IP: 192.168.2.165\r\n")).isEqualTo("production");
        assertThat(answerFor("127.0.0.2", "X-Forwarded-For: 192.168.2.165\r\n")).isEqualTo("production");
    }

    @Test
    void untrustedPeerIsRoutedByItsOwnAddress() {
        assertThat(answerFor("127.0.0.3", "X-Real-IP: 10.2.0.1\r\n")).isEqualTo("gray");
        assertThat(answerFor("127.0.0.2", "")).isEqualTo("production");
    }

    @Test
    void ipv6PeerIsRoutedByItsAddress(@TempDir Path ownDir) {
        try (TestUpstream v6production = TestUpstream.start("production-v6");
             TestUpstream v6gray = TestUpstream.start("gray-v6");
             ProxyHarness v6 = ProxyHarness.start(ownDir, "listen: \"[::1]:0\"\n" + ProxyHarness.twoGroups(v6production.hostPort(), v6gray.hostPort(), """
                     whitelist: ["::1"]
                     """, ""))) {
            try (RawHttpClient c = RawHttpClient.connect(v6.address())) {
                RawHttpClient.Response r = c.get("/who", "app.test").read();
                assertThat(r.bodyText()).isEqualTo("gray-v6");
                assertThat(v6gray.lastRequest().header("x-real-ip")).isEqualTo("::1");
            }
        }
    }

    @Test
    void switchAndRollbackTakeEffectOnTheNextRequestOfAKeptAliveConnection() {
        try (RawHttpClient c = RawHttpClient.connect(proxy.address(), "127.0.0.2")) {
            assertThat(c.get("/a", "app.test").read().bodyText()).isEqualTo("production");
            proxy.rules.apply("demo", RuleChange.switchTo(null), "test");
            try {
                assertThat(c.get("/b", "app.test").read().bodyText()).isEqualTo("gray");
            } finally {
                proxy.rules.apply("demo", RuleChange.rollback(null), "test");
            }
            assertThat(c.get("/c", "app.test").read().bodyText()).isEqualTo("production");
        }
    }

    @Test
    void requestWithNoMatchingRouteGets404WithAOneLineBody(@TempDir Path ownDir) {
        try (ProxyHarness scoped = ProxyHarness.start(ownDir, """
                upstreams:
                  production: {servers: ["%s"]}
                routes:
                  - {name: api, pathPrefix: /api/, host: api.test, stable: production, gray: production}
                """.formatted(production.hostPort()));
             RawHttpClient c = RawHttpClient.connect(scoped.address())) {
            RawHttpClient.Response wrongPath = c.get("/web/x?q=1", "api.test").read();
            assertThat(wrongPath.status()).isEqualTo(404);
            assertThat(wrongPath.bodyText()).isEqualTo("404 Not Found: no route for host \"api.test\" and path \"/web/x\"\n");
            RawHttpClient.Response wrongHost = c.get("/api/x", "other.test:8080").read();
            assertThat(wrongHost.status()).isEqualTo(404);
            RawHttpClient.Response right = c.get("/api/x", "API.test:8080").read();
            assertThat(right.status()).isEqualTo(200);
            assertThat(right.bodyText()).isEqualTo("production");
            RawHttpClient.Response absolute = c.send("GET http://api.test/api/abs?x=1 HTTP/1.1\r\nHost: ignored.test\r\n\r\n").read();
            assertThat(absolute.status()).isEqualTo(200);
            assertThat(production.lastRequest().uri).isEqualTo("/api/abs?x=1");
            assertThat(production.lastRequest().header("host")).isEqualTo("api.test");
        }
    }

    @Test
    void routesAreMatchedOnTheNormalizedPathAndTheUpstreamGetsTheOriginal(@TempDir Path ownDir) {
        try (ProxyHarness scoped = ProxyHarness.start(ownDir, """
                upstreams:
                  production: {servers: ["%s"]}
                routes:
                  - {name: public, pathPrefix: /public/, stable: production, gray: production}
                """.formatted(production.hostPort()));
             RawHttpClient c = RawHttpClient.connect(scoped.address())) {
            assertThat(c.get("/public/../admin", "a.test").read().status()).isEqualTo(404);
            assertThat(c.get("/public/%2e%2e/admin", "a.test").read().status()).isEqualTo(404);
            RawHttpClient.Response encoded = c.get("/%70ublic//x/./y?q=1", "a.test").read();
            assertThat(encoded.status()).isEqualTo(200);
            assertThat(production.lastRequest().uri).isEqualTo("/%70ublic//x/./y?q=1");
            RawHttpClient.Response climbing = c.get("/public/../../etc/passwd", "a.test").read();
            assertThat(climbing.status()).isEqualTo(400);
            assertThat(climbing.bodyText()).startsWith("400 Bad Request: the path ");
        }
    }
}
