package io.graygate.store.redis;

import io.graygate.config.GatewayConfig;
import io.graygate.config.HostPort;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store URI forms for Redis, their defaults, and that the password shows nowhere. */
class RedisStoreUriTest {

    @Test
    void aPlainUriTakesTheDocumentedDefaults() {
        RedisStoreUri u = RedisStoreUri.parse("redis://cache.internal");

        assertThat(u.hosts()).containsExactly(new HostPort("cache.internal", 6379));
        assertThat(u.database()).isZero();
        assertThat(u.prefix()).isEqualTo("graygate:");
        assertThat(u.snapshot()).isEqualTo(Path.of("graygate-snapshot.json"));
        assertThat(u.timeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(u.password()).isNull();
        assertThat(u.tls()).isFalse();
        assertThat(u.toString()).isEqualTo("redis://cache.internal:6379/0?prefix=graygate:");
    }

    @Test
    void everyParameterIsRead() {
        RedisStoreUri u = RedisStoreUri.parse("rediss://app:pa%40ss%2Fw@10.0.0.5:6380/3?prefix=team-a:&snapshot=/var/lib/gg/snap.json&timeout=250ms&verifyPeer=false");

        assertThat(u.tls()).isTrue();
        assertThat(u.username()).isEqualTo("app");
        assertThat(u.password()).isEqualTo("pa@ss/w");
        assertThat(u.hosts()).containsExactly(new HostPort("10.0.0.5", 6380));
        assertThat(u.database()).isEqualTo(3);
        assertThat(u.prefix()).isEqualTo("team-a:");
        assertThat(u.snapshot()).isEqualTo(Path.of("/var/lib/gg/snap.json"));
        assertThat(u.timeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(u.verifyPeer()).isFalse();
        RedisURI lettuce = u.toLettuce();
        assertThat(lettuce.isSsl()).isTrue();
        RedisCredentials credentials = lettuce.getCredentialsProvider().resolveCredentials().block();
        assertThat(credentials.getUsername()).isEqualTo("app");
        assertThat(new String(credentials.getPassword())).isEqualTo("pa@ss/w");
        assertThat(lettuce.getDatabase()).isEqualTo(3);
    }

    @Test
    void aLonePasswordBeforeTheHostIsAPasswordAsInLettuce() {
        RedisStoreUri u = RedisStoreUri.parse("redis://s3cret@localhost:6379/0");

        assertThat(u.username()).isNull();
        assertThat(u.password()).isEqualTo("s3cret");
    }

    @Test
    void aSentinelUriListsItsSentinelsAndNamesThePrimary() {
        RedisStoreUri u = RedisStoreUri.parse("redis-sentinel://:pw@10.0.0.1:26379,10.0.0.2,[::1]:26380/2?masterName=gray-primary");

        assertThat(u.sentinel()).isTrue();
        assertThat(u.hosts()).containsExactly(new HostPort("10.0.0.1", 26379), new HostPort("10.0.0.2", 26379), new HostPort("::1", 26380));
        assertThat(u.masterName()).isEqualTo("gray-primary");
        assertThat(u.database()).isEqualTo(2);
        RedisURI lettuce = u.toLettuce();
        assertThat(lettuce.getSentinelMasterId()).isEqualTo("gray-primary");
        assertThat(lettuce.getSentinels()).hasSize(3);
        assertThat(u.toString()).isEqualTo("redis-sentinel://:****@10.0.0.1:26379,10.0.0.2:26379,[::1]:26380/2?prefix=graygate:&masterName=gray-primary");
    }

    @Test
    void lettucesOwnSentinelSyntaxIsAcceptedToo() {
        assertThat(RedisStoreUri.parse("redis-sentinel://10.0.0.1:26379/0#mymaster").masterName()).isEqualTo("mymaster");
        assertThat(RedisStoreUri.parse("redis-sentinel://10.0.0.1:26379/0?sentinelMasterId=mymaster").masterName()).isEqualTo("mymaster");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "redis-sentinel://10.0.0.1:26379/0                | needs the primary's name: ?masterName=NAME",
            "redis://h1:6379,h2:6379/0                        | several hosts are only for redis-sentinel://",
            "redis://localhost/zero                            | the database \"zero\" is not a number 0 or more",
            "redis://localhost/0?timeout=soon                  | timeout: expected a duration such as 500ms or 2s",
            "redis://localhost/0?timeout=1ms                   | timeout: must be at least 10ms",
            "redis://localhost/0?prefx=a:                      | unknown parameter \"prefx\"; known: prefix, snapshot, timeout, masterName, verifyPeer, minReplicas",
            "redis://localhost/0?minReplicas=-1                | minReplicas must be a number, 0 (no replica need confirm a write) or more, got \"-1\"",
            "redis://localhost/0?minReplicas=one               | minReplicas must be a number, 0 (no replica need confirm a write) or more, got \"one\"",
            "redis://localhost/0?masterName=x                  | masterName is only for redis-sentinel://",
            "redis://localhost:port/0                          | \"localhost:port\" has no valid port",
            "redis://localhost/0?verifyPeer=maybe              | verifyPeer must be true or false",
            "memcached://localhost                             | unknown scheme \"memcached\"",
    })
    void aBadUriIsRefusedWithAMessageSayingWhatIsWrong(String uri, String problem) {
        assertThatThrownBy(() -> RedisStoreUri.parse(uri))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("store: ")
                .hasMessageContaining(problem);
    }

    @Test
    void minReplicasDefaultsToOneWhenThePrimaryHasReplicasAndZeroTurnsItOff() {
        assertThat(RedisStoreUri.parse("redis://localhost/0").minReplicas()).isEqualTo(RedisStoreUri.AUTO_REPLICAS);
        assertThat(RedisStoreUri.parse("redis://localhost/0?minReplicas=0").minReplicas()).isZero();
        assertThat(RedisStoreUri.parse("redis-sentinel://h:26379/0?masterName=m&minReplicas=2").minReplicas()).isEqualTo(2);
    }

    @Test
    void aRefusedUriNeverRepeatsThePassword() {
        for (String uri : List.of("redis://app:hunter2@localhost/0?prefx=a", "redis://hunter2@localhost/x",
                "redis-sentinel://:hunter2@h:26379/0", "redis://:hun@ter2@localhost/0?timeout=x")) {
            assertThatThrownBy(() -> RedisStoreUri.parse(uri)).hasMessageNotContaining("hunter2").hasMessageNotContaining("ter2");
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "redis://app:hunter2@localhost:6379/0   | redis://app:****@localhost:6379/0",
            "redis://:hunter2@localhost:6379/0      | redis://:****@localhost:6379/0",
            "redis://hunter2@localhost:6379/0       | redis://****@localhost:6379/0",
            "redis://:hun@ter/2@localhost:6379/0    | redis://:****@localhost:6379/0",
            "redis://localhost:6379/0               | redis://localhost:6379/0",
            "file:./rules.json                      | file:./rules.json",
    })
    void theConfigurationsRedactionMasksEveryPasswordForm(String uri, String shown) {
        assertThat(GatewayConfig.redact(uri)).isEqualTo(shown);
    }
}
