package io.graygate.proxy;

import ch.qos.logback.classic.Level;
import io.graygate.testing.LogCapture;
import io.graygate.testing.Polling;
import io.graygate.testing.RawHttpClient;
import io.graygate.testing.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Route stripPrefix and group pathPrefix: what the upstream receives, checked on the upstream itself. */
class PathRewriteTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "stripPrefix {0}, route {1}, group {2}: {3} -> {4}")
    @CsvSource(delimiter = '|', value = {
            "false | /app          | -     | /app/x?q=1                | /app/x?q=1",
            "true  | /app          | -     | /app/x?q=1                | /x?q=1",
            "true  | /app          | -     | /app                      | /",
            "true  | /app          | -     | /app?q=1                  | /?q=1",
            "true  | /app/         | -     | /app/x                    | /x",
            "false | /             | /bee  | /x?y=1                    | /bee/x?y=1",
            "false | /             | /bee/ | /x                        | /bee/x",
            "false | /             | /bee  | /                         | /bee/",
            "true  | /order_center | /bee  | /order_center/list?id=7   | /bee/list?id=7",
            "true  | /order_center | /bee/ | /order_center/list?id=7   | /bee/list?id=7",
            "true  | /app          | /bee  | /app                      | /bee/",
            "true  | /app          | -     | /app/a%20b?x=%20          | /a%20b?x=%20",
            "true  | /app          | -     | //app//x                  | /x",
            "true  | /app          | -     | /app/%2e%2e/app/x         | /x",
            "true  | /app          | -     | /app/x%3Fy                | /x%3Fy",
    })
    void theUpstreamGetsTheRewrittenTargetWithTheQueryKept(boolean strip, String routePrefix, String groupPrefix, String sent, String received) {
        String group = groupPrefix.equals("-") ? "" : ", pathPrefix: " + groupPrefix;
        try (TestUpstream up = TestUpstream.start("production");
             ProxyHarness p = ProxyHarness.start(dir, """
                     upstreams:
                       production: {servers: ["%s"]%s}
                     routes:
                       - {name: demo, pathPrefix: %s, stripPrefix: %s, stable: production, gray: production}
                     """.formatted(up.hostPort(), group, routePrefix, strip));
             RawHttpClient c = RawHttpClient.connect(p.address())) {
            assertThat(c.get(sent, "app.test").read().status()).isEqualTo(200);
            assertThat(up.lastRequest().uri).isEqualTo(received);
        }
    }

    @Test
    void theAccessLogShowsBothPaths() {
        try (TestUpstream up = TestUpstream.start("production");
             LogCapture access = LogCapture.of(Level.INFO, AsyncAccessLog.LOGGER);
             ProxyHarness p = ProxyHarness.start(dir, """
                     upstreams:
                       production: {servers: ["%s"], pathPrefix: /bee}
                     routes:
                       - {name: demo, pathPrefix: /order_center, stripPrefix: true, stable: production, gray: production}
                     """.formatted(up.hostPort()));
             RawHttpClient c = RawHttpClient.connect(p.address())) {
            assertThat(c.get("/order_center/list?id=7", "app.test").read().status()).isEqualTo(200);
            Polling.await("the access log line", Duration.ofSeconds(5), () -> access.lines().stream().anyMatch(l -> l.contains("ACCESS") || l.contains("path=")));
            assertThat(access.lines().stream().filter(l -> l.contains("path=")).findFirst().orElseThrow()).endsWith("path=/order_center/list?id=7 upstreamPath=/bee/list?id=7");
        }
    }

    @Test
    void aVersionsOwnPathPrefixReplacesTheGroupsForThatVersionOnly() throws Exception {
        try (TestUpstream up = TestUpstream.start("develop");
             ProxyHarness p = ProxyHarness.start(dir, """
                     upstreams:
                       develop: {servers: ["%s"], pathPrefix: /bee}
                     routes:
                       - name: demo
                         versions: {production: develop, gray: {upstream: develop, pathPrefix: /bee-v2/}}
                         rules: [{name: beta, when: {header: {name: X-Beta, present: true}}, to: gray}]
                     """.formatted(up.hostPort()));
             RawHttpClient c = RawHttpClient.connect(p.address())) {
            assertThat(c.get("/x?q=1", "app.test").read().status()).isEqualTo(200);
            assertThat(up.lastRequest().uri).isEqualTo("/bee/x?q=1");
            assertThat(c.send("GET /x?q=1 HTTP/1.1\r\nHost: app.test\r\nX-Beta: 1\r\n\r\n").read().status()).isEqualTo(200);
            assertThat(up.lastRequest().uri).isEqualTo("/bee-v2/x?q=1");
        }
    }

    @Test
    void aBadVersionPathPrefixIsRefusedNamingTheField() {
        assertThatThrownBy(() -> ProxyHarness.config(dir, """
                upstreams:
                  develop: {servers: ["127.0.0.1:1"]}
                routes:
                  - {name: demo, versions: {production: develop, gray: {upstream: develop, pathPrefix: bee}}}
                """)).hasMessageContaining("routes[0].versions.gray.pathPrefix: must start with '/'");
    }
}
