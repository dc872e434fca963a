package io.graygate.proxy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.graygate.testing.Polling;
import io.graygate.testing.RawHttpClient;
import io.graygate.testing.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One attacker tries each request-smuggling form while victims make requests through the same gateway, whose one
 * event loop makes everyone share the same pooled upstream connections. Every victim must get the response to its
 * own request, no smuggled request may reach the upstream, and the upstream must see exactly the requests the
 * access log shows.
 */
class SmugglingAttackTest {

    @TempDir
    Path dir;

    /** A request hidden in a body; {@code N} is replaced by the attack's number. */
    private static String smuggled(int n) {
        return "GET /smuggled-" + n + "?echo=headers HTTP/1.1\r\nHost: app.test\r\n\r\n";
    }

    /** One attack: the bytes sent (the attacker then shuts its output) and the statuses it gets before the close. */
    private record Attack(String name, String bytes, List<Integer> statuses) {
    }

    private static List<Attack> attacks() {
        List<Attack> a = new ArrayList<>();
        String h = "Host: app.test\r\n";
        int n = 0;
        String s;
        s = smuggled(++n);
        a.add(new Attack("CL.TE", "POST /a" + n + " HTTP/1.1\r\n" + h + "Content-Length: " + (5 + s.length()) + "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + s, List.of(400)));
        s = smuggled(++n);
        a.add(new Attack("TE.CL", "POST /a" + n + " HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n"
                + Integer.toHexString(s.length()) + "\r\n" + s + "\r\n0\r\n\r\n", List.of(400)));
        s = smuggled(++n);
        a.add(new Attack("TE.TE chunked + cow", "POST /a" + n + " HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\nTransfer-Encoding: cow\r\nContent-Length: "
                + s.length() + "\r\n\r\n" + s, List.of(400)));
        s = smuggled(++n);
        a.add(new Attack("TE.TE xchunked", "POST /a" + n + " HTTP/1.1\r\n" + h + "Transfer-Encoding: xchunked\r\n\r\n" + s, List.of(501)));
        s = smuggled(++n);
        a.add(new Attack("TE space before colon", "POST /a" + n + " HTTP/1.1\r\n" + h + "Transfer-Encoding : chunked\r\nContent-Length: "
                + s.length() + "\r\n\r\n" + s, List.of(400)));
        s = smuggled(++n);
        a.add(new Attack("TE folded", "POST /a" + n + " HTTP/1.1\r\n" + h + "X-A: a\r\n Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + s, List.of(400)));
        s = smuggled(++n);
        a.add(new Attack("TE tab + CL", "POST /a" + n + " HTTP/1.1\r\n" + h + "Transfer-Encoding:\tchunked\r\nContent-Length: " + s.length()
                + "\r\n\r\n" + s, List.of(400)));
        s = smuggled(++n);
        a.add(new Attack("Connection: Content-Length", "POST /a" + n + " HTTP/1.1\r\n" + h + "Content-Length: " + s.length()
                + "\r\nConnection: Content-Length\r\n\r\n" + s, List.of(200)));
        s = smuggled(++n);
        a.add(new Attack("Connection: Transfer-Encoding", "POST /a" + n + " HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\nConnection: Transfer-Encoding\r\n\r\n"
                + Integer.toHexString(s.length()) + "\r\n" + s + "\r\n0\r\n\r\n", List.of(200)));
        s = smuggled(++n);
        a.add(new Attack("duplicate CL", "POST /a" + n + " HTTP/1.1\r\n" + h + "Content-Length: 0\r\nContent-Length: " + s.length() + "\r\n\r\n" + s, List.of(400)));
        s = smuggled(++n);
        a.add(new Attack("chunk size overflow", "POST /a" + n + " HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n1000000000000000"
                + Integer.toHexString(s.length()) + "\r\n" + s + "\r\n0\r\n\r\n", List.of(400)));
        s = smuggled(++n);
        a.add(new Attack("bare LF line ends", "POST /a" + n + " HTTP/1.1\nHost: app.test\nContent-Length: " + s.length() + "\n\n" + s, List.of(200)));
        s = smuggled(++n);
        a.add(new Attack("bare CR line ends", "POST /a" + n + " HTTP/1.1\r" + "Host: app.test\rContent-Length: 0\r\r\n" + s, List.of(400)));
        s = smuggled(++n);
        a.add(new Attack("chunk longer than its size", "POST /a" + n + " HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n1\r\nx" + s + "\r\n0\r\n\r\n", List.of(400)));
        s = smuggled(++n);
        a.add(new Attack("HTTP/1.0 chunked", "POST /a" + n + " HTTP/1.0\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + s, List.of(400)));
        s = smuggled(++n);
        a.add(new Attack("signed CL", "POST /a" + n + " HTTP/1.1\r\n" + h + "Content-Length: +" + s.length() + "\r\n\r\n" + s, List.of(400)));
        s = smuggled(++n);
        a.add(new Attack("GET with a body", "GET /a" + n + " HTTP/1.1\r\n" + h + "Content-Length: " + s.length() + "\r\n\r\n" + s, List.of(200)));
        s = smuggled(++n);
        a.add(new Attack("Upgrade then a pipelined request", "GET /a" + n + " HTTP/1.1\r\n" + h + "Upgrade: websocket\r\n\r\n" + s, List.of(200)));
        s = smuggled(++n);
        a.add(new Attack("NUL in a field", "POST /a" + n + " HTTP/1.1\r\n" + h + "X-A: \0\r\nContent-Length: " + s.length() + "\r\n\r\n" + s, List.of(400)));
        return a;
    }

    @Test
    void noSmugglingFormReachesTheUpstreamOrAnyoneElsesResponse() throws Exception {
        Logger accessLogger = (Logger) LoggerFactory.getLogger(AsyncAccessLog.LOGGER);
        ListAppender<ILoggingEvent> accessLines = new ListAppender<>();
        accessLines.start();
        accessLogger.addAppender(accessLines);
        try (TestUpstream upstream = TestUpstream.start("production");
             ProxyHarness p = ProxyHarness.start(dir, ProxyHarness.twoGroups(upstream.hostPort(), upstream.hostPort(), "", "proxy:\n  ioThreads: 1\n"))) {
            AtomicBoolean attacking = new AtomicBoolean(true);
            ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
            AtomicInteger victimRequests = new AtomicInteger();
            List<Thread> victims = new ArrayList<>();
            for (int v = 0; v < 3; v++) {
                int id = v;
                Thread t = new Thread(() -> {
                    try (RawHttpClient c = RawHttpClient.connect(p.address())) {
                        for (int i = 0; attacking.get() || i < 20; i++) {
                            String target = "/victim-" + id + "-" + i + "?echo=headers";
                            RawHttpClient.Response r = c.get(target, "app.test").read();
                            victimRequests.incrementAndGet();
                            if (r.status() != 200 || !r.bodyText().startsWith("GET " + target + " HTTP/1.1\n")) {
                                wrong.add(target + " got " + r.status() + " " + r.bodyText().lines().findFirst().orElse(""));
                            }
                        }
                    } catch (RuntimeException e) {
                        wrong.add("victim " + id + ": " + e);
                    }
                }, "victim-" + v);
                t.start();
                victims.add(t);
            }
            List<String> attackerSaw = new ArrayList<>();
            List<String> attackerExpected = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (Attack attack : attacks()) {
                    attackerExpected.add(attack.name() + " " + attack.statuses());
                    attackerSaw.add(attack.name() + " " + attack(p, attack.bytes()));
                }
            }
            attacking.set(false);
            for (Thread t : victims) t.join(60_000);

            assertThat(wrong).isEmpty();
            assertThat(victimRequests.get()).isGreaterThanOrEqualTo(60);
            assertThat(attackerSaw).isEqualTo(attackerExpected);
            List<String> received = new ArrayList<>();
            for (TestUpstream.Received r : upstream.requests()) received.add(r.method + " " + r.uri);
            assertThat(received).noneMatch(r -> r.contains("smuggled"));
            // The access log is written off the event loop: wait until it has a line for each request the upstream saw.
            Polling.await("the access log catches up", Duration.ofSeconds(10), () -> forwarded(accessLines, upstream).size() >= received.size());
            List<String> logged = forwarded(accessLines, upstream);
            Collections.sort(received);
            Collections.sort(logged);
            assertThat(logged).containsExactlyInAnyOrderElementsOf(received);
        } finally {
            accessLogger.detachAppender(accessLines);
        }
    }

    /** Sends the attack on a connection of its own, shuts the output, and reads responses until the gateway closes. */
    private static List<Integer> attack(ProxyHarness p, String bytes) {
        List<Integer> statuses = new ArrayList<>();
        try (RawHttpClient c = RawHttpClient.connect(p.address())) {
            c.send(bytes);
            c.socket().shutdownOutput();
            while (true) statuses.add(c.read().status());
        } catch (UncheckedIOException | IOException end) {
            return statuses; // closed: no more responses
        }
    }

    /** "METHOD path" of each access-log line that names the upstream (forwarded, whatever the status). */
    private static List<String> forwarded(ListAppender<ILoggingEvent> lines, TestUpstream upstream) {
        List<String> out = new ArrayList<>();
        java.util.regex.Pattern line = java.util.regex.Pattern.compile("upstream=" + java.util.regex.Pattern.quote(upstream.hostPort()) + " .* method=(\\S+) path=(\\S+)");
        synchronized (lines) {
            for (ILoggingEvent e : List.copyOf(lines.list)) {
                Matcher m = line.matcher(e.getFormattedMessage());
                if (m.find()) out.add(m.group(1) + " " + m.group(2));
            }
        }
        return out;
    }
}
