package io.graygate.proxy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.graygate.testing.Polling;
import io.graygate.testing.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** proxy.accessLogFormat: json writes one JSON object per request that Jackson reads back with every field. */
class JsonAccessLogTest {

    @TempDir
    Path dir;

    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final Logger access = (Logger) LoggerFactory.getLogger(AsyncAccessLog.LOGGER);
    private final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void capture() {
        lines.start();
        access.addAppender(lines);
    }

    @AfterEach
    void release() {
        access.detachAppender(lines);
    }

    private List<JsonNode> parsed() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (ILoggingEvent e : List.copyOf(lines.list)) {
            String line = e.getFormattedMessage();
            assertThat(line).doesNotContain("\n").startsWith("{").endsWith("}");
            out.add(json.readTree(line));
        }
        return out;
    }

    @Test
    void eachRequestIsOneObjectWithRouteVersionUpstreamTimingsBytesAndTraceparent() throws Exception {
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 \"odd\\\"";
        byte[] body = new byte[12_345];
        try (TestUpstream gray = TestUpstream.start("gray");
             ProxyHarness proxy = ProxyHarness.start(dir, ProxyHarness.twoGroups("127.0.0.1:9", gray.hostPort(), "mode: all-gray",
                     "proxy:\n  accessLogFormat: json\n"))) {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> echoed = http.send(HttpRequest.newBuilder(proxy.uri("/upload?echo=body"))
                    .header("traceparent", traceparent).timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(echoed.statusCode()).isEqualTo(200);
            assertThat(proxy.get("/plain").statusCode()).isEqualTo(200);
            Polling.await("two access log lines", Duration.ofSeconds(5), () -> lines.list.size() >= 2);

            List<JsonNode> entries = parsed();
            JsonNode upload = entries.get(0);
            assertThat(upload.path("route").asText()).isEqualTo("demo");
            assertThat(upload.path("version").asText()).isEqualTo("gray");
            assertThat(upload.path("rule").asText()).isEqualTo("(override)");
            assertThat(upload.path("upstream").asText()).isEqualTo(gray.hostPort());
            assertThat(upload.path("status").asInt()).isEqualTo(200);
            assertThat(upload.path("method").asText()).isEqualTo("POST");
            assertThat(upload.path("path").asText()).isEqualTo("/upload?echo=body");
            assertThat(upload.path("client").asText()).isEqualTo("127.0.0.1");
            assertThat(upload.path("bytesIn").asLong()).isEqualTo(body.length);
            assertThat(upload.path("bytesOut").asLong()).isEqualTo(body.length);
            assertThat(upload.path("durationMs").isNumber()).isTrue();
            assertThat(upload.path("upstreamDurationMs").isNumber()).isTrue();
            assertThat(upload.path("upstreamDurationMs").asDouble()).isLessThanOrEqualTo(upload.path("durationMs").asDouble());
            assertThat(upload.path("traceparent").asText()).isEqualTo(traceparent); // a quote and a backslash survive the escaping

            JsonNode plain = entries.get(1);
            assertThat(plain.path("bytesIn").asLong()).isZero();
            assertThat(plain.path("path").asText()).isEqualTo("/plain");
            assertThat(plain.has("traceparent")).isFalse();
        }
    }

    @Test
    void aRequestNoUpstreamAnsweredHasNoUpstreamDurationAndTheTextFormStaysAsItWas() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start(dir, ProxyHarness.twoGroups("127.0.0.1:9", "127.0.0.1:9", "", ""))) {
            assertThat(proxy.get("/nowhere-to-go").statusCode()).isEqualTo(502);
        }
        Polling.await("one line", Duration.ofSeconds(5), () -> !lines.list.isEmpty());
        assertThat(lines.list.get(0).getFormattedMessage())
                .matches("route=demo version=production rule=\\(baseline\\) upstream=127.0.0.1:9 status=502 ms=\\d+\\.\\d{3} client=127.0.0.1 method=GET path=/nowhere-to-go");
    }
}
