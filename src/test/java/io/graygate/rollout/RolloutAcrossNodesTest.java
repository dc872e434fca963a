package io.graygate.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import io.graygate.testing.ControlledUpstream;
import io.graygate.testing.GatewayProcess;
import io.graygate.testing.Polling;
import io.graygate.testing.RedisProcess;
import io.graygate.testing.UserLoad;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.graygate.rollout.RolloutEndToEndTest.JSON;
import static io.graygate.rollout.RolloutEndToEndTest.WAIT;
import static io.graygate.rollout.RolloutEndToEndTest.await;
import static io.graygate.rollout.RolloutEndToEndTest.state;
import static io.graygate.rollout.RolloutEndToEndTest.stepsEntered;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three graygate processes on one redis-server (with an append-only file, so that a restart keeps its data), real
 * traffic through all of them, the rollout judged on the cluster's statistics: one node drives at a time, another
 * takes over from the recorded step when it dies, nothing moves while Redis is away, and a restart of every node
 * resumes the rollout.
 */
class RolloutAcrossNodesTest {

    private static final String SPEC = "{\"version\": \"gray\", \"lease\": \"2s\", \"steps\": [{\"weight\": 10, \"pause\": \"2s\"},"
            + " {\"weight\": 30, \"pause\": \"3s\"}, {\"weight\": 60, \"pause\": \"2s\"}, {\"weight\": 100, \"pause\": \"1s\"}],"
            + " \"analysis\": {\"interval\": \"1s\", \"minRequests\": 5}}";

    @TempDir
    Path dir;

    private RedisProcess redis;
    private ControlledUpstream production;
    private ControlledUpstream gray;
    private final List<GatewayProcess> nodes = new CopyOnWriteArrayList<>();
    private UserLoad load;
    private int started;

    @BeforeEach
    void start() throws Exception {
        redis = RedisProcess.start("--appendonly", "yes", "--appendfsync", "always");
        production = ControlledUpstream.start("production");
        gray = ControlledUpstream.start("gray");
        for (int i = 0; i < 3; i++) startNode();
        load = new UserLoad(this::liveProxies, 1000, 2, 5);
    }

    private void startNode() throws Exception {
        int n = ++started;
        String store = redis.uri() + "?snapshot=" + dir.resolve("node" + n + "-snapshot.json");
        nodes.add(GatewayProcess.start(dir, "node" + n, RolloutEndToEndTest.config(store, production, gray)));
    }

    private List<URI> liveProxies() {
        List<URI> out = new ArrayList<>();
        for (GatewayProcess g : nodes) if (g.isAlive()) out.add(g.proxyUri());
        return out;
    }

    @AfterEach
    void stop() throws Exception {
        if (load != null) load.close();
        for (GatewayProcess g : nodes) g.close();
        production.close();
        gray.close();
        redis.close();
    }

    private GatewayProcess anyLive() {
        for (GatewayProcess g : nodes) if (g.isAlive()) return g;
        throw new IllegalStateException("no node alive");
    }

    /** The node whose process the lease holder, "NODE (pid PID, random)", names. */
    private GatewayProcess driverOf(JsonNode s) {
        String driver = s.path("driver").asText();
        for (GatewayProcess g : nodes) if (driver.contains("(pid " + g.pid() + ",")) return g;
        throw new IllegalStateException("no node is the driver " + driver);
    }

    private static int grayWeight(GatewayProcess g) throws Exception {
        JsonNode route = JSON.readTree(g.admin("GET", "/api/routes/app", null).body());
        for (JsonNode r : route.path("policy").path("rules")) {
            if (r.path("name").asText().equals("ramp")) return r.path("split").path("weights").path("gray").asInt();
        }
        return -1;
    }

    @Test
    void whenTheDrivingNodeIsKilledAnotherTakesOverAndTheRolloutCompletesWithEveryStepOnce() throws Exception {
        RolloutEndToEndTest.start(nodes.get(0), SPEC);
        JsonNode atStep2 = await(nodes.get(0), "step 2", s -> s.path("step").asInt() == 1 && s.path("settled").asBoolean()
                && s.path("driver").isTextual());
        GatewayProcess driver = driverOf(atStep2);
        driver.kill();
        JsonNode done = await(anyLive(), "success after the takeover", state("succeeded"));
        assertThat(stepsEntered(done)).containsExactly(2, 3, 4);
        Set<String> drivers = new HashSet<>();
        for (JsonNode e : done.path("events")) if (e.path("actor").asText().equals("rollout")) drivers.add(e.path("node").asText());
        String first = atStep2.path("driver").asText();
        assertThat(drivers).hasSizeGreaterThanOrEqualTo(2).contains(first.substring(0, first.indexOf(" (pid ")));
        for (GatewayProcess g : nodes) {
            if (!g.isAlive()) continue;
            Polling.await(g.name() + " everyone on gray", WAIT, () -> {
                try {
                    return "gray".equals(JSON.readTree(g.admin("GET", "/api/routes/app", null).body()).path("override").asText());
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }

    @Test
    void whileRedisIsDownNoStepIsTakenAndTheRolloutGoesOnWhenItReturns() throws Exception {
        RolloutEndToEndTest.start(nodes.get(0), SPEC);
        await(nodes.get(0), "step 2", s -> s.path("step").asInt() == 1 && s.path("settled").asBoolean());
        redis.kill();
        // Longer than step 2's pause and several analysis intervals: with Redis away no node may take step 3.
        long until = System.nanoTime() + 6_000_000_000L;
        while (System.nanoTime() < until) {
            for (GatewayProcess g : nodes) assertThat(grayWeight(g)).as(g.name()).isEqualTo(30);
            Thread.sleep(200);
        }
        redis.restart();
        JsonNode done = await(nodes.get(0), "success after Redis returned", state("succeeded"));
        assertThat(stepsEntered(done)).containsExactly(2, 3, 4);
    }

    @Test
    void aRestartOfEveryNodeResumesTheRolloutFromItsRecordedStep() throws Exception {
        RolloutEndToEndTest.start(nodes.get(0), SPEC);
        await(nodes.get(0), "step 2", s -> s.path("step").asInt() == 1 && s.path("settled").asBoolean());
        for (GatewayProcess g : nodes) g.close();
        nodes.clear();
        for (int i = 0; i < 3; i++) startNode();
        JsonNode resumed = RolloutEndToEndTest.status(nodes.get(0));
        assertThat(resumed).isNotNull();
        assertThat(resumed.path("step").asInt()).isGreaterThanOrEqualTo(1);
        JsonNode done = await(nodes.get(0), "success after the restart", state("succeeded"));
        assertThat(stepsEntered(done)).containsExactly(2, 3, 4);
    }
}
