package io.graygate.store.redis;

import io.graygate.config.ConfigLoader;
import io.graygate.config.GatewayConfig;
import io.graygate.policy.Weights;
import io.graygate.rules.RuleBook;
import io.graygate.rules.RuleChange;
import io.graygate.testing.HeldRequest;
import io.graygate.testing.Polling;
import io.graygate.testing.RedisProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two gateway nodes on one Redis decide every user of a sticky split alike, without cookies of their own: the
 * bucket is a pure function of cohort and key; a ramp made on one node is in force on the other; and routes that
 * share a cohort keep a user on the same side on both nodes. A restart of a node changes nobody's version.
 */
class SplitAcrossNodesTest {

    private static RedisProcess redis;

    @TempDir
    Path dir;
    private RedisNodes nodes;

    @BeforeAll
    static void startRedis() {
        redis = RedisProcess.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @BeforeEach
    void setUp() {
        nodes = new RedisNodes(dir);
        nodes.plainClient(redis).flushall(); // a Redis this test class started itself
    }

    @AfterEach
    void tearDown() {
        nodes.close();
    }

    private GatewayConfig config(String node) {
        return ConfigLoader.parse("""
                store: "%s"
                upstreams: {a: {servers: ["127.0.0.1:9"]}, b: {servers: ["127.0.0.1:9"]}}
                routes:
                  - name: shop
                    pathPrefix: /shop
                    versions: {production: a, gray: b}
                    rules: [{name: ramp, split: {by: {header: X-User}, weights: {gray: 5}, cohort: release-7}}]
                  - name: cart
                    pathPrefix: /cart
                    versions: {production: a, gray: b}
                    rules: [{name: ramp, split: {by: {header: X-User}, weights: {gray: 5}, cohort: release-7}}]
                """.formatted(nodes.storeUri(redis.uri(), node)), Map.of());
    }

    private static String version(RuleBook node, String route, String user) {
        return node.snapshot().route(route).decide(HeldRequest.fromClient("10.0.0.1").header("X-User", user)).version();
    }

    @Test
    void everyUserGetsTheSameVersionOnBothNodesAtEveryStepAndAcrossTheCohortsRoutes() {
        RuleBook a = nodes.open(config("a"));
        RuleBook b = nodes.open(config("b"));
        for (int weight : new int[] {5, 25, 50, 100}) {
            a.apply("shop", RuleChange.setSplit("ramp", new Weights(Map.of("gray", weight * 100))), "test");
            b.apply("cart", RuleChange.setSplit("ramp", new Weights(Map.of("gray", weight * 100))), "test");
            long rev = a.state("shop").revision();
            Polling.await("both ramps on both nodes", Duration.ofSeconds(2),
                    () -> b.state("shop").revision() == rev && a.state("cart").revision() == b.state("cart").revision());
            int gray = 0;
            for (int i = 0; i < 5_000; i++) {
                String user = "user-" + i;
                String v = version(a, "shop", user);
                assertThat(version(b, "shop", user)).isEqualTo(v);
                assertThat(version(a, "cart", user)).isEqualTo(v);
                assertThat(version(b, "cart", user)).isEqualTo(v);
                if (v.equals("gray")) gray++;
            }
            assertThat(gray / 50.0).isCloseTo(weight, org.assertj.core.data.Offset.offset(1.5));
        }
    }

    @Test
    void aRestartedNodeKeepsEveryUserWhereTheyWere() {
        RuleBook a = nodes.open(config("a"));
        a.apply("shop", RuleChange.setSplit("ramp", new Weights(Map.of("gray", 3000))), "test");
        String[] before = new String[2_000];
        for (int i = 0; i < before.length; i++) before[i] = version(a, "shop", "user-" + i);
        a.close();
        RuleBook again = nodes.open(config("a"));
        for (int i = 0; i < before.length; i++) assertThat(version(again, "shop", "user-" + i)).isEqualTo(before[i]);
    }
}
