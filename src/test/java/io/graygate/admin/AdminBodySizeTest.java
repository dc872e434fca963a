package io.graygate.admin;

import io.graygate.testing.RawHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AdminBodySizeTest {

    static final String TOKEN = "body-size-token";

    @TempDir
    Path dir;

    RunningAdmin admin;

    @AfterEach
    void stop() {
        if (admin != null) admin.close();
    }

    private void start(String maxBodySize) {
        admin = RunningAdmin.startWith(dir, RunningAdmin.CONFIG, Map.of("TOKEN", TOKEN, "MAX_BODY_SIZE", maxBodySize));
    }

    private static String post(String body, String framing) {
        return "POST /api/routes/demo/whitelist HTTP/1.1\r\nHost: admin\r\nAuthorization: Bearer " + TOKEN + "\r\n"
                + framing + "\r\n" + body;
    }

    private static String entries(int n) {
        StringBuilder b = new StringBuilder("{\"entries\": [");
        for (int i = 0; i < n; i++) b.append(i == 0 ? "" : ", ").append("\"11.0.").append(i / 256).append('.').append(i % 256).append('"');
        return b.append("]}").toString();
    }

    @Test
    void anAuthenticatedBodyDeclaredPastTheLimitIs413NamingIt() {
        start("1KiB");
        try (RawHttpClient c = RawHttpClient.connect(admin.address())) {
            c.send(post("", "Content-Length: 1025\r\n"));
            RawHttpClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.bodyText()).contains("body: 1025 bytes is more than admin.maxBodySize (1024 bytes)");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(admin.rules().state("demo").revision()).isEqualTo(1);
    }

    @Test
    void aChunkedBodyPastTheLimitIs413AndChangesNothing() {
        start("1KiB");
        String body = entries(100); // about 1,300 bytes
        assertThat(body.length()).isGreaterThan(1024);
        try (RawHttpClient c = RawHttpClient.connect(admin.address())) {
            c.send(post(Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n", "Transfer-Encoding: chunked\r\n"));
            assertThat(c.read().status()).isEqualTo(413);
        }
        assertThat(admin.rules().state("demo").revision()).isEqualTo(1);
    }

    @Test
    void aBodyAtTheLimitIsAccepted() {
        String body = entries(70);
        start(String.valueOf(body.length()));
        try (RawHttpClient c = RawHttpClient.connect(admin.address())) {
            c.send(post(body, "Content-Length: " + body.length() + "\r\n"));
            RawHttpClient.Response r = c.read();
            assertThat(r.status()).as(r.bodyText()).isEqualTo(200);
        }
        assertThat(admin.rules().state("demo").ipSets().get("whitelist").size()).isEqualTo(3 + 70);
    }

    @Test
    void theDefaultLimitIs64MiB() {
        start("");
        try (RawHttpClient c = RawHttpClient.connect(admin.address())) {
            c.send(post("", "Content-Length: " + (64 * 1024 * 1024 + 1) + "\r\n"));
            RawHttpClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.bodyText()).contains("admin.maxBodySize (67108864 bytes)");
        }
    }
}
