package io.graygate.store.redis;

import io.graygate.store.RolloutRecords;
import io.graygate.store.StoreUnavailableException;
import io.graygate.testing.Polling;
import io.graygate.testing.RedisProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Rollout records and leases in a real redis-server: one holder at a time, compare-and-set writes, fenced by the lease. */
class RedisRolloutRecordsTest {

    private RedisProcess redis;
    private RedisRolloutRecords a;
    private RedisRolloutRecords b;

    @BeforeEach
    void start() {
        redis = RedisProcess.start();
        a = new RedisRolloutRecords(RedisStoreUri.parse(redis.uri()));
        b = new RedisRolloutRecords(RedisStoreUri.parse(redis.uri()));
    }

    @AfterEach
    void stop() {
        a.close();
        b.close();
        redis.close();
    }

    @Test
    void oneNodeHoldsTheLeaseUntilItLapsesThenAnotherTakesIt() {
        Duration ttl = Duration.ofMillis(1500);
        assertThat(a.lease("app", "node-a", ttl)).isTrue();
        assertThat(b.lease("app", "node-b", ttl)).isFalse();
        assertThat(a.lease("app", "node-a", ttl)).isTrue(); // renewed
        assertThat(b.holder("app")).isEqualTo("node-a");
        assertThat(b.lease("other-route", "node-b", ttl)).isTrue(); // leases are per route
        Polling.await("the lease to lapse and node-b to take it", Duration.ofSeconds(10), () -> b.lease("app", "node-b", ttl));
        assertThat(a.lease("app", "node-a", ttl)).isFalse();
        b.release("app", "node-a"); // not the holder: nothing happens
        assertThat(a.holder("app")).isEqualTo("node-b");
        b.release("app", "node-b");
        assertThat(a.holder("app")).isNull();
    }

    @Test
    void writesAreComparedOnTheGenerationAndFencedByTheLease() {
        assertThat(a.read("app")).isNull();
        assertThat(a.write("app", 0, "{\"n\":1}", null)).isEqualTo(RolloutRecords.Outcome.WRITTEN); // an API call: no lease needed
        assertThat(b.read("app")).isEqualTo(new RolloutRecords.Stored(1, "{\"n\":1}"));
        assertThat(b.write("app", 0, "{\"n\":2}", null)).isEqualTo(RolloutRecords.Outcome.CONFLICT);
        assertThat(a.write("app", 1, "{\"n\":2}", "node-a")).isEqualTo(RolloutRecords.Outcome.NOT_HOLDER);
        assertThat(a.lease("app", "node-a", Duration.ofSeconds(10))).isTrue();
        assertThat(b.write("app", 1, "{\"n\":2}", "node-b")).isEqualTo(RolloutRecords.Outcome.NOT_HOLDER);
        assertThat(a.write("app", 1, "{\"n\":2}", "node-a")).isEqualTo(RolloutRecords.Outcome.WRITTEN);
        assertThat(b.read("app")).isEqualTo(new RolloutRecords.Stored(2, "{\"n\":2}"));
    }

    @Test
    void withRedisGoneEveryCallFailsAndTheyWorkAgainWhenItReturns() {
        assertThat(a.lease("app", "node-a", Duration.ofSeconds(10))).isTrue();
        redis.kill();
        assertThatThrownBy(() -> a.lease("app", "node-a", Duration.ofSeconds(10))).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> a.read("app")).isInstanceOf(StoreUnavailableException.class);
        redis.restart();
        Polling.await("Redis back", Duration.ofSeconds(10), () -> {
            try {
                return a.lease("app", "node-a", Duration.ofSeconds(10));
            } catch (StoreUnavailableException e) {
                return false;
            }
        });
    }
}
