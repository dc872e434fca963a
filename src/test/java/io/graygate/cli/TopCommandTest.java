package io.graygate.cli;

import io.graygate.Gateway;
import io.graygate.config.ConfigLoader;
import io.graygate.testing.GatewayProcess;
import io.graygate.testing.Polling;
import io.graygate.testing.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code graygate top} in a real terminal: run under tmux (a server of the test's own), it shows each version's
 * figures, redraws them as requests come in, and on Ctrl-C exits, its last table left on the screen with a last line
 * under it.
 */
class TopCommandTest {

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void topShowsTheLiveFiguresRedrawsThemAndStopsCleanlyOnCtrlC() throws Exception {
        String socket = "graygate-top-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (TestUpstream production = TestUpstream.start("production");
             TestUpstream gray = TestUpstream.start("gray");
             Gateway gateway = Gateway.start(ConfigLoader.parse("""
                     listen: 127.0.0.1:0
                     admin: {listen: 127.0.0.1:0, token: top-secret}
                     store: file:%s
                     proxy: {accessLog: false}
                     upstreams:
                       production: {servers: ["%s"]}
                       gray: {servers: ["%s"]}
                     routes:
                       - name: web
                         pathPrefix: /
                         versions: {production: production, gray: gray}
                         baseline: production
                         rules:
                           - {name: testers, when: {header: {name: X-Tester, equals: "yes"}}, to: gray}
                     """.formatted(dir.resolve("rules.json"), production.hostPort(), gray.hostPort()), Map.of()))) {
            Path script = dir.resolve("top.sh");
            Files.writeString(script, "#!/bin/sh\nexport GRAYGATE_ADMIN_TOKEN=top-secret\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                    + "' -cp '" + GatewayProcess.classpath() + "' io.graygate.cli.Main top web --window 1m --admin http://127.0.0.1:"
                    + gateway.adminPort() + "\n", StandardCharsets.UTF_8);
            script.toFile().setExecutable(true);
            try {
                tmux(socket, "-f", "/dev/null", "new-session", "-d", "-s", "top", "-x", "150", "-y", "20", script.toString(),
                        ";", "set-option", "-t", "top", "remain-on-exit", "on");
                for (int i = 0; i < 6; i++) request(gateway, false, 200);
                for (int i = 0; i < 2; i++) request(gateway, true, 500);

                String[] last = {""};
                try {
                    Polling.await("top to show 6 production and 2 gray requests", Duration.ofSeconds(20), () -> {
                        last[0] = capture(socket);
                        return row(last[0], "web\\s+production", "6") && row(last[0], "gray", "2");
                    });
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "; the screen:\n" + last[0], e);
                }
                String screen = capture(socket);
                assertThat(screen).contains("graygate top").contains("window 1m").contains("cluster (1 node)");
                assertThat(screen).containsPattern("ROUTE\\s+VERSION\\s+WEIGHT\\s+REQ/S\\s+ERROR %\\s+P50 MS\\s+P99 MS\\s+REQUESTS");
                assertThat(screen).containsPattern("gray\\s+0%\\s+0\\.0\\s+100\\.00%\\s+\\d+\\.\\d\\s+\\d+\\.\\d\\s+2");
                assertThat(screen).containsPattern("web\\s+production\\s+100%\\s+0\\.1\\s+0\\.00%");

                for (int i = 0; i < 3; i++) request(gateway, false, 200);
                Polling.await("top to redraw with 9 production requests", Duration.ofSeconds(20), () -> row(capture(socket), "web\\s+production", "9"));

                tmux(socket, "send-keys", "-t", "top", "C-c");
                Polling.await("top to exit", Duration.ofSeconds(20), () -> tmux(socket, "display-message", "-p", "-t", "top", "#{pane_dead}").strip().equals("1"));
                String after = capture(socket);
                assertThat(after).contains("graygate top: stopped");
                assertThat(after).doesNotContain("Exception");
                assertThat(row(after, "web\\s+production", "9")).as("the last table stays on the screen:\n%s", after).isTrue();
            } finally {
                tmux(socket, "kill-server");
            }
        }
    }

    /** Whether the screen has a row starting like {@code start} whose last column is {@code requests}. */
    private static boolean row(String screen, String start, String requests) {
        return Pattern.compile("(?m)^\\s*" + start + "\\s.*\\s" + requests + "\\s*$").matcher(screen).find();
    }

    private void request(Gateway gateway, boolean tester, int status) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/x?status=" + status))
                .timeout(Duration.ofSeconds(10));
        if (tester) r.header("X-Tester", "yes");
        assertThat(http.send(r.build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(status);
    }

    private static String capture(String socket) {
        return tmux(socket, "capture-pane", "-p", "-t", "top");
    }

    private static String tmux(String socket, String... args) {
        List<String> command = new ArrayList<>(List.of("tmux", "-L", socket));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) throw new IllegalStateException("tmux did not finish: " + command);
            if (p.exitValue() != 0 && !args[0].equals("kill-server")) throw new IllegalStateException(command + " failed: " + out);
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("tmux is needed for this test (apt-get install tmux): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
