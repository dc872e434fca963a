package io.graygate.proxy;

import ch.qos.logback.classic.Level;
import io.graygate.testing.LogCapture;
import io.graygate.testing.Polling;
import io.graygate.testing.RawHttpClient;
import io.graygate.testing.RawUpstream;
import io.graygate.testing.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Upstream groups as nginx users expect them: weights, a dead server skipped, retries only where they are safe. */
class UpstreamFailoverTest {

    @TempDir
    Path dir;

    @Test
    void weightsHoldWithinTwoPercentOverTenThousandRequests() throws Exception {
        try (TestUpstream a = TestUpstream.start("a");
             TestUpstream b = TestUpstream.start("b");
             TestUpstream c = TestUpstream.start("c");
             ProxyHarness p = ProxyHarness.start(dir, """
                     upstreams:
                       production: {servers: ["%s", {address: "%s", weight: 3}, {address: "%s", weight: 6}]}
                     routes:
                       - {name: demo, stable: production, gray: production}
                     proxy: {accessLog: false}
                     """.formatted(a.hostPort(), b.hostPort(), c.hostPort()))) {
            int clients = 4;
            int perClient = 2_500;
            ConcurrentHashMap<String, AtomicInteger> answers = new ConcurrentHashMap<>();
            List<Thread> threads = new ArrayList<>();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            for (int t = 0; t < clients; t++) {
                Thread thread = new Thread(() -> {
                    try (RawHttpClient client = RawHttpClient.connect(p.address())) {
                        for (int i = 0; i < perClient; i++) {
                            RawHttpClient.Response r = client.get("/", "app.test").read();
                            if (r.status() != 200) failures.add(r.statusLine());
                            answers.computeIfAbsent(r.bodyText(), k -> new AtomicInteger()).incrementAndGet();
                        }
                    }
                });
                thread.start();
                threads.add(thread);
            }
            for (Thread thread : threads) thread.join();
            assertThat(failures).isEmpty();
            int total = clients * perClient;
            // Shares 1:3:6 of 10,000: 1,000, 3,000 and 6,000, each within 2%.
            assertThat(answers.get("a").get()).isBetween(980, 1_020);
            assertThat(answers.get("b").get()).isBetween(2_940, 3_060);
            assertThat(answers.get("c").get()).isBetween(5_880, 6_120);
            assertThat(answers.values().stream().mapToInt(AtomicInteger::get).sum()).isEqualTo(total);
        }
    }

    @Test
    void weightedChoicesAreSpreadOutNotInRuns() throws Exception {
        try (TestUpstream a = TestUpstream.start("a");
             TestUpstream b = TestUpstream.start("b");
             ProxyHarness p = ProxyHarness.start(dir, """
                     upstreams:
                       production: {servers: [{address: "%s", weight: 2}, "%s"]}
                     routes:
                       - {name: demo, stable: production, gray: production}
                     proxy: {ioThreads: 1}
                     """.formatted(a.hostPort(), b.hostPort()));
             RawHttpClient c = RawHttpClient.connect(p.address())) {
            StringBuilder order = new StringBuilder();
            for (int i = 0; i < 6; i++) order.append(c.get("/", "app.test").read().bodyText());
            assertThat(order.toString()).isEqualTo("abaaba"); // nginx's smooth weighted round-robin: a b a, a b a
        }
    }

    @Test
    void aServerKilledUnderLoadFailsNoGetAndGetsOnlyItsProbesUntilItReturns() throws Exception {
        TestUpstream a = TestUpstream.start("a");
        TestUpstream b = TestUpstream.start("b");
        int bPort = b.port();
        long failTimeoutMillis = 1_000;
        try (LogCapture logs = LogCapture.of(Level.INFO, ServerHealth.class.getName());
             ProxyHarness p = ProxyHarness.start(dir, """
                     upstreams:
                       production: {servers: ["%s", "%s"], failTimeout: %dms}
                     routes:
                       - {name: demo, stable: production, gray: production}
                     proxy: {accessLog: false}
                     """.formatted(a.hostPort(), b.hostPort(), failTimeoutMillis))) {
            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            AtomicLong ok = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                Thread thread = new Thread(() -> {
                    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                    HttpRequest request = HttpRequest.newBuilder(p.uri("/load")).timeout(Duration.ofSeconds(10)).build();
                    while (!stop.get()) {
                        try {
                            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200) ok.incrementAndGet();
                            else failures.add(r.statusCode() + " " + r.body());
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                    }
                });
                thread.start();
                threads.add(thread);
            }
            Polling.await("both servers to answer", Duration.ofSeconds(10), () -> a.requests().size() > 50 && b.requests().size() > 50);
            b.close(); // killed: its connections close and its port refuses
            Polling.await("b to be taken out", Duration.ofSeconds(10),
                    () -> !logs.messages(Level.WARN, "upstream down: 127.0.0.1:" + bPort).isEmpty());
            long outAt = System.nanoTime();
            long attemptsWhenOut = p.proxy.connectAttempts("127.0.0.1:" + bPort);
            long servedWhenOut = ok.get();
            Polling.await("load to go on for three failTimeouts", Duration.ofSeconds(30),
                    () -> System.nanoTime() - outAt > 3 * failTimeoutMillis * 1_000_000);
            long windows = (System.nanoTime() - outAt) / (failTimeoutMillis * 1_000_000);
            long probes = p.proxy.connectAttempts("127.0.0.1:" + bPort) - attemptsWhenOut;
            assertThat(ok.get() - servedWhenOut).as("requests served while b was out").isGreaterThan(100);
            // One probe per failTimeout at most (nginx's behaviour), however many requests came meanwhile.
            assertThat(probes).as("connect attempts to b while it was out").isLessThanOrEqualTo(windows + 1);

            try (TestUpstream revived = TestUpstream.start("b", "127.0.0.1", bPort)) {
                Polling.await("b to be back in the rotation", Duration.ofSeconds(10), () -> revived.requests().size() > 50);
                stop.set(true);
                for (Thread thread : threads) thread.join();
            }
            assertThat(failures).as("failed GET requests").isEmpty();
            assertThat(logs.messages(Level.WARN, "upstream down: 127.0.0.1:" + bPort)).hasSize(1);
            assertThat(logs.messages(Level.INFO, "upstream up again: 127.0.0.1:" + bPort)).hasSize(1);
        } finally {
            a.close();
        }
    }

    @Test
    void aPostWhoseBodyReachedAServerThatThenDiedIsNotRetriedButAGetIs() throws Exception {
        try (DyingServer dying = new DyingServer();
             TestUpstream good = TestUpstream.start("good");
             LogCapture access = LogCapture.of(Level.INFO, AsyncAccessLog.LOGGER);
             ProxyHarness p = ProxyHarness.start(dir, """
                     upstreams:
                       production: {servers: ["127.0.0.1:%d", "%s"], maxFails: 0}
                     routes:
                       - {name: demo, stable: production, gray: production}
                     proxy: {ioThreads: 1}
                     """.formatted(dying.port(), good.hostPort()));
             RawHttpClient c = RawHttpClient.connect(p.address())) {
            String body = "order=42";
            RawHttpClient.Response post = c.send("POST /orders HTTP/1.1\r\nHost: app.test\r\nContent-Length: " + body.length()
                    + "\r\n\r\n" + body).read();
            assertThat(post.status()).isEqualTo(502);
            assertThat(dying.bodies()).containsExactly(body); // it had the whole request before it died
            assertThat(good.requests()).isEmpty();            // and nobody got it a second time

            try (RawHttpClient c2 = RawHttpClient.connect(p.address())) {
                assertThat(c2.get("/first", "app.test").read().bodyText()).isEqualTo("good"); // good's turn
                RawHttpClient.Response get = c2.get("/again", "app.test").read();           // the dying one's turn
                assertThat(get.status()).isEqualTo(200);
                assertThat(get.bodyText()).isEqualTo("good");
            }
            assertThat(dying.requests()).isEqualTo(2);
            Polling.await("the access log line of the retried GET", Duration.ofSeconds(5),
                    () -> access.lines().stream().anyMatch(l -> l.contains("path=/again")));
            String line = access.lines().stream().filter(l -> l.contains("path=/again")).findFirst().orElseThrow();
            assertThat(line).contains("upstream=127.0.0.1:" + dying.port() + "(closed)," + good.hostPort() + " status=200");
        }
    }

    @Test
    void aConnectFailureGoesOnToTheNextServerEvenForAPost() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort();
        }
        try (TestUpstream good = TestUpstream.start("good");
             ProxyHarness p = ProxyHarness.start(dir, """
                     upstreams:
                       production: {servers: ["127.0.0.1:%d", "%s"]}
                     routes:
                       - {name: demo, stable: production, gray: production}
                     proxy: {ioThreads: 1}
                     """.formatted(dead, good.hostPort()));
             RawHttpClient c = RawHttpClient.connect(p.address())) {
            RawHttpClient.Response post = c.send("POST /orders?count=body HTTP/1.1\r\nHost: app.test\r\nContent-Length: 5\r\n\r\nhello").read();
            assertThat(post.status()).isEqualTo(200);
            assertThat(post.bodyText()).startsWith("bytes=5 ");
            assertThat(good.requests()).hasSize(1);
        }
    }

    @Test
    void nextUpstreamOffAnswersTheFailureAtOnce() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort();
        }
        try (TestUpstream good = TestUpstream.start("good");
             ProxyHarness p = ProxyHarness.start(dir, """
                     upstreams:
                       production: {servers: ["127.0.0.1:%d", "%s"]}
                     routes:
                       - {name: demo, stable: production, gray: production}
                     proxy: {ioThreads: 1, nextUpstream: [off]}
                     """.formatted(dead, good.hostPort()));
             RawHttpClient c = RawHttpClient.connect(p.address())) {
            assertThat(c.get("/", "app.test").read().status()).isEqualTo(502);
            assertThat(good.requests()).isEmpty();
        }
    }

    /** A server that reads each request whole, body included, then closes the connection without a byte of answer. */
    private static final class DyingServer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        private final ConcurrentLinkedQueue<String> bodies = new ConcurrentLinkedQueue<>();
        private final AtomicInteger requests = new AtomicInteger();
        private final Thread thread = new Thread(this::serve, "dying-server");

        DyingServer() throws java.io.IOException {
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        List<String> bodies() {
            return List.copyOf(bodies);
        }

        int requests() {
            return requests.get();
        }

        private void serve() {
            while (!socket.isClosed()) {
                try (Socket s = socket.accept()) {
                    InputStream in = s.getInputStream();
                    String head = RawUpstream.readHead(in);
                    requests.incrementAndGet();
                    int length = 0;
                    for (String h : (head == null ? "" : head).split("\r\n")) {
                        if (h.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) length = Integer.parseInt(h.substring(15).strip());
                    }
                    if (length > 0) bodies.add(new String(in.readNBytes(length), StandardCharsets.ISO_8859_1));
                } catch (java.io.IOException e) {
                    // closed: done
                }
            }
        }

        @Override
        public void close() throws Exception {
            socket.close();
            thread.join(5_000);
        }
    }

}
