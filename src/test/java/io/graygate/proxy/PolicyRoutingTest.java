package io.graygate.proxy;

import io.graygate.policy.Weights;
import io.graygate.rules.RuleChange;
import io.graygate.testing.TestUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Three versions behind one route over real sockets: header, cookie, query and method rules, then a sticky split by cookie. */
class PolicyRoutingTest {

    @TempDir
    static Path dir;
    static TestUpstream v1, v2, v3;
    static ProxyHarness proxy;
    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() {
        v1 = TestUpstream.start("v1");
        v2 = TestUpstream.start("v2");
        v3 = TestUpstream.start("v3");
        proxy = ProxyHarness.start(dir, """
                proxy: {versionHeader: true, accessLog: false}
                upstreams:
                  v1: {servers: ["%s"]}
                  v2: {servers: ["%s"]}
                  v3: {servers: ["%s"]}
                routes:
                  - name: shop
                    pathPrefix: /shop
                    versions: {production: v1, gray: v2, canary: v3}
                    rules:
                      - {name: beta, when: {header: {name: X-Beta, equals: "on"}}, to: gray}
                      - {name: ab, when: {all: [{cookie: {name: ab, equals: b}}, {method: [GET, HEAD]}]}, to: canary}
                      - {name: preview, when: {query: {name: preview, present: true}}, to: gray}
                      - {name: ramp, split: {by: {cookie: uid}, weights: {gray: 30, canary: 10}}}
                """.formatted(v1.hostPort(), v2.hostPort(), v3.hostPort()));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        v1.close();
        v2.close();
        v3.close();
    }

    static HttpResponse<String> send(String method, String target, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(proxy.uri(target)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource(delimiter = '|', value = {
            "GET    | /shop/a           | X-Beta=on               | gray",
            "GET    | /shop/a           | Cookie=ab=b; uid=u-1    | canary",
            "POST   | /shop/a           | Cookie=ab=b; uid=user-1 | production",
            "GET    | /shop/a?preview   | Cookie=uid=user-1       | gray",
            "GET    | /shop/a?x=preview | Cookie=uid=user-1       | production",
    })
    void eachRuleSendsItsRequestsToItsVersion(String method, String target, String header, String version) {
        String[] h = header.split("=", 2);
        HttpResponse<String> r = send(method, target, h[0], h[1]);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-graygate-version")).contains(version);
        assertThat(r.body()).isEqualTo(Map.of("production", "v1", "gray", "v2", "canary", "v3").get(version));
    }

    @Test
    void theStickySplitSendsEachUserToOneVersionInTheWeightsShares() {
        Map<String, Integer> counts = new HashMap<>();
        Map<String, String> first = new HashMap<>();
        for (int i = 0; i < 2000; i++) {
            String uid = "uid=customer-" + i;
            String v = send("GET", "/shop/p", "Cookie", uid).headers().firstValue("x-graygate-version").orElseThrow();
            counts.merge(v, 1, Integer::sum);
            first.put(uid, v);
        }
        // 2,000 users: each share within 3.5 points of its weight (the unit test holds 100,000 keys to half a point)
        assertThat(counts.get("gray") / 20.0).isBetween(26.5, 33.5);
        assertThat(counts.get("canary") / 20.0).isBetween(6.5, 13.5);
        for (int i = 0; i < 200; i++) {
            String uid = "uid=customer-" + i;
            assertThat(send("GET", "/shop/other", "Cookie", uid).headers().firstValue("x-graygate-version")).contains(first.get(uid));
        }
    }

    @Test
    void growingTheSplitOnlyAddsUsersToTheGrowingVersion() {
        Map<String, String> before = new HashMap<>();
        for (int i = 0; i < 500; i++) before.put("g" + i, send("GET", "/shop", "Cookie", "uid=g" + i).headers().firstValue("x-graygate-version").orElseThrow());
        proxy.rules.apply("shop", RuleChange.setSplit("ramp", weights(45, 10)), "test");
        try {
            int moved = 0;
            for (int i = 0; i < 500; i++) {
                String now = send("GET", "/shop", "Cookie", "uid=g" + i).headers().firstValue("x-graygate-version").orElseThrow();
                String was = before.get("g" + i);
                if (!now.equals(was)) {
                    assertThat(was + " -> " + now).isEqualTo("production -> gray");
                    moved++;
                }
            }
            assertThat(moved).isPositive();
        } finally {
            proxy.rules.apply("shop", RuleChange.setSplit("ramp", weights(30, 10)), "test");
        }
    }

    private static Weights weights(int gray, int canary) {
        Map<String, Integer> w = new java.util.LinkedHashMap<>();
        w.put("gray", gray * 100);
        w.put("canary", canary * 100);
        return new Weights(w);
    }
}
