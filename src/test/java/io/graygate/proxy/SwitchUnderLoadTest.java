package io.graygate.proxy;

import io.graygate.policy.Mode;
import io.graygate.rules.RuleChange;
import io.graygate.testing.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Blue-green switches, rollbacks and rollbacks to a kept revision while clients keep kept-alive connections busy: nobody sees a failure. */
class SwitchUnderLoadTest {

    @TempDir
    Path dir;

    @Test
    void switchingAndRollingBackRepeatedlyUnderLoadFailsNoRequest() throws Exception {
        try (TestUpstream production = TestUpstream.start("production");
             TestUpstream gray = TestUpstream.start("gray");
             ProxyHarness p = ProxyHarness.start(dir, ProxyHarness.twoGroups(production.hostPort(), gray.hostPort(), "", """
                     proxy:
                       accessLog: false
                     """))) {
            int clients = 6;
            long runNanos = Duration.ofSeconds(3).toNanos();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            ConcurrentHashMap<String, AtomicLong> answers = new ConcurrentHashMap<>();
            CountDownLatch started = new CountDownLatch(clients);
            long end = System.nanoTime() + runNanos;
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < clients; t++) {
                Thread thread = new Thread(() -> {
                    // One client per thread: its keep-alive connections are reused request after request.
                    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                    HttpRequest request = HttpRequest.newBuilder(p.uri("/load")).timeout(Duration.ofSeconds(5)).build();
                    started.countDown();
                    while (System.nanoTime() < end) {
                        try {
                            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() != 200) failures.add(r.statusCode() + " " + r.body());
                            answers.computeIfAbsent(r.body(), k -> new AtomicLong()).incrementAndGet();
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                    }
                }, "load-" + t);
                thread.start();
                threads.add(thread);
            }
            started.await();
            int changes = 0;
            while (System.nanoTime() < end) {
                // switch, roll back, roll back to the switched revision, return to the rules: each in force at once
                long switched = p.rules.apply("demo", RuleChange.switchTo(null), "test").revision();
                Thread.sleep(40);
                p.rules.apply("demo", RuleChange.rollback(null), "test");
                Thread.sleep(40);
                p.rules.apply("demo", RuleChange.rollback(switched), "test");
                Thread.sleep(40);
                p.rules.apply("demo", RuleChange.setMode(Mode.GRAY), "test");
                Thread.sleep(40);
                changes += 4;
            }
            for (Thread thread : threads) thread.join();

            assertThat(failures).isEmpty();
            assertThat(answers.keySet()).containsExactlyInAnyOrder("production", "gray");
            assertThat(answers.get("gray").get()).isPositive();
            assertThat(answers.get("production").get()).isPositive();
            assertThat(changes).isGreaterThan(10);
            long total = answers.values().stream().mapToLong(AtomicLong::get).sum();
            // kept-alive: far fewer upstream connections than requests
            assertThat(production.connections() + gray.connections()).isLessThan((int) Math.min(total / 10, Integer.MAX_VALUE));
            System.out.printf("%d requests, %d rule changes, answers %s, upstream connections %d%n",
                    total, changes, answers, production.connections() + gray.connections());
        }
    }
}
