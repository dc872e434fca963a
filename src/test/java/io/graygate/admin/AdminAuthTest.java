package io.graygate.admin;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.graygate.admin.RunningAdmin.Reply;
import io.graygate.testing.RawHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AdminAuthTest {

    static final String TOKEN = "s3cret-admin-token";

    @TempDir
    Path dir;

    RunningAdmin admin;
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    Logger handlerLog = (Logger) LoggerFactory.getLogger(AdminGate.class);

    @BeforeEach
    void start() {
        admin = RunningAdmin.start(dir, TOKEN);
        logged.start();
        handlerLog.addAppender(logged);
    }

    @AfterEach
    void stop() {
        handlerLog.detachAppender(logged);
        admin.close();
    }

    @Test
    void aChangeWithoutATokenIs401AndChangesNothing() {
        Reply r = admin.send("POST", "/api/routes/demo/switch", null, null);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.error()).isEqualTo("unauthorized: send Authorization: Bearer <token>");
        assertThat(admin.rules().state("demo").policy().mode().text()).isEqualTo("gray");
        assertThat(admin.rules().state("demo").revision()).isEqualTo(1);
    }

    @Test
    void aWrongTokenIs401AndChangesNothing() {
        for (String auth : List.of("Bearer wrong", "Bearer " + TOKEN.substring(0, 6), "Bearer " + TOKEN + "x", "Basic " + TOKEN, TOKEN)) {
            Reply r = admin.send("POST", "/api/routes/demo/whitelist", "{\"entries\": [\"8.8.8.8\"]}", auth);
            assertThat(r.status()).as(auth).isEqualTo(401);
            assertThat(r.error()).as(auth).isEqualTo("unauthorized: wrong token");
        }
        assertThat(admin.rules().state("demo").ipSets().get("whitelist").size()).isEqualTo(3);
        assertThat(admin.rules().state("demo").revision()).isEqualTo(1);
    }

    @Test
    void readsAndHealthNeedTheTokenToo() {
        for (String path : List.of("/health", "/api/routes", "/api/routes/demo/whitelist", "/api/explain?route=demo&ip=10.1.2.3", "/nowhere")) {
            assertThat(admin.send("GET", path, null, null).status()).as(path).isEqualTo(401);
        }
        assertThat(admin.send("GET", "/health", null, "Bearer " + TOKEN).status()).isEqualTo(200);
    }

    @Test
    void theRightTokenLetsAChangeThrough() {
        Reply r = admin.send("POST", "/api/routes/demo/whitelist", "{\"entries\": [\"8.8.8.8\"]}", "Bearer " + TOKEN);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("whitelistSize").asInt()).isEqualTo(4);
        Reply lowerCaseScheme = admin.send("POST", "/api/routes/demo/switch", null, "bearer " + TOKEN);
        assertThat(lowerCaseScheme.status()).isEqualTo(200);
        assertThat(lowerCaseScheme.json().path("mode").asText()).isEqualTo("all-gray");
    }

    @Test
    void aRefusedCallIsLoggedAtWarnWithoutTheToken() {
        admin.send("PUT", "/api/routes/demo/mode", "{\"mode\": \"all-gray\"}", "Bearer guessed-" + TOKEN);
        assertThat(logged.list).hasSize(1);
        ILoggingEvent event = logged.list.get(0);
        assertThat(event.getLevel().toString()).isEqualTo("WARN");
        assertThat(event.getFormattedMessage()).startsWith("admin: refused PUT /api/routes/demo/mode from /127.0.0.1:")
                .endsWith(": wrong bearer token")
                .doesNotContain(TOKEN);
    }

    @Test
    void anUnauthenticatedRequestWithABodyIs401AndClosedWithoutWaitingForTheBody() {
        // Head: a 10,000,000-byte body is announced; 5 bytes of it are sent, the rest never. Had the body been
        // collected first, no answer would come until the client gave up.
        try (RawHttpClient c = RawHttpClient.connect(admin.address())) {
            c.send("POST /api/routes/demo/whitelist HTTP/1.1\r\nHost: admin\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 10000000\r\n\r\n{\"ent");
            RawHttpClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(r.bodyText()).contains("unauthorized: send Authorization: Bearer <token>");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(admin.rules().state("demo").revision()).isEqualTo(1);
    }

    @Test
    void anUnauthenticatedRequestExpectingContinueIs401WithNoContinue() {
        try (RawHttpClient c = RawHttpClient.connect(admin.address())) {
            c.send("PUT /api/routes/demo/mode HTTP/1.1\r\nHost: admin\r\nAuthorization: Bearer nope\r\n"
                    + "Expect: 100-continue\r\nContent-Length: 20\r\n\r\n");
            RawHttpClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.bodyText()).contains("unauthorized: wrong token");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void aRefusedRequestPipelinedBehindAnAcceptedOneIsAnsweredInTurn() {
        String body = "{\"entries\": [\"8.8.8.8\"]}";
        try (RawHttpClient c = RawHttpClient.connect(admin.address())) {
            c.send("POST /api/routes/demo/whitelist HTTP/1.1\r\nHost: admin\r\nAuthorization: Bearer " + TOKEN + "\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body
                    + "POST /api/routes/demo/switch HTTP/1.1\r\nHost: admin\r\nContent-Length: 3\r\n\r\n{}\n"
                    + "GET /health HTTP/1.1\r\nHost: admin\r\nAuthorization: Bearer " + TOKEN + "\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(200);
            assertThat(c.read().status()).isEqualTo(401);
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(admin.rules().state("demo").revision()).isEqualTo(2);
        assertThat(admin.rules().state("demo").policy().mode().text()).isEqualTo("gray");
    }

    @Test
    void theDashboardsStaticFilesPassTheGateWithoutAToken() {
        try (RawHttpClient c = RawHttpClient.connect(admin.address())) {
            c.send("GET / HTTP/1.1\r\nHost: admin\r\n\r\n");
            RawHttpClient.Response page = c.read();
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.header("content-type")).startsWith("text/html");
            c.send("GET /api/routes HTTP/1.1\r\nHost: admin\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(401);
            assertThat(c.closedByServer()).isTrue();
        }
    }
}
