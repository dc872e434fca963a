package io.graygate.admin;

import io.graygate.testing.RawHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The dashboard's files on the admin listener: types, security headers, revalidation, and nothing else served. */
class DashboardAssetsTest {

    static final String TOKEN = "dash-token";

    @TempDir
    Path dir;

    RunningAdmin admin;

    @BeforeEach
    void start() {
        admin = RunningAdmin.start(dir, TOKEN);
    }

    @AfterEach
    void stop() {
        admin.close();
    }

    RawHttpClient.Response get(String path) {
        return send("GET " + path + " HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n", false);
    }

    RawHttpClient.Response send(String request, boolean head) {
        URI u = URI.create(admin.url());
        try (RawHttpClient c = RawHttpClient.connect(new InetSocketAddress(u.getHost(), u.getPort()))) {
            return c.send(request).read(head);
        }
    }

    @ParameterizedTest
    @CsvSource({
            "/,                                 text/html; charset=utf-8",
            "/ui/app.js,                        text/javascript; charset=utf-8",
            "/ui/views/overview.js,             text/javascript; charset=utf-8",
            "/ui/style.css,                     text/css; charset=utf-8",
            "/ui/favicon.svg,                   image/svg+xml",
            "/ui/vendor/uplot/uPlot.esm.js,     text/javascript; charset=utf-8",
            "/ui/vendor/uplot/uPlot.min.css,    text/css; charset=utf-8",
    })
    void everyFileIsServedWithoutATokenWithItsTypeAndTheSecurityHeaders(String path, String type) {
        RawHttpClient.Response r = get(path);
        assertThat(r.status()).as(path).isEqualTo(200);
        assertThat(r.header("content-type")).isEqualTo(type);
        assertThat(r.header("x-content-type-options")).isEqualTo("nosniff");
        assertThat(r.header("content-security-policy"))
                .contains("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'")
                .doesNotContain("unsafe-inline", "unsafe-eval", "http:", "https:", "*");
        assertThat(r.header("content-length")).isEqualTo(String.valueOf(r.body().length));
        assertThat(r.body()).isNotEmpty();
    }

    @Test
    void uplotComesFromTheWebJarOnTheClassPath() throws IOException {
        String version;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            version = p.getProperty("version");
        }
        byte[] inJar;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("META-INF/resources/webjars/uplot/" + version + "/dist/uPlot.esm.js")) {
            inJar = in.readAllBytes();
        }
        assertThat(get("/ui/vendor/uplot/uPlot.esm.js").body()).isEqualTo(inJar);
    }

    @Test
    void thePageLoadsOnlyItsOwnFilesAndHasNoInlineScriptOrStyle() {
        String page = get("/").bodyText();
        assertThat(page).contains("<script type=\"module\" src=\"/ui/app.js\"></script>");
        assertThat(page.replaceAll("<script[^>]*src=\"/ui/[^\"]+\"[^>]*></script>", "")).doesNotContain("<script");
        assertThat(page).doesNotContain("<style", "style=", "onclick", "onload", "http://", "https://");
    }

    @Test
    void theApiStillAsksForTheTokenAndCarriesTheSameHeaders() {
        RawHttpClient.Response r = get("/api/routes");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("x-content-type-options")).isEqualTo("nosniff");
        assertThat(r.header("content-security-policy")).startsWith("default-src 'self'");
        assertThat(get("/health").status()).isEqualTo(401);
    }

    @Test
    void aBrowserThatHasTheFileIsAnswered304WithoutABody() {
        RawHttpClient.Response first = get("/ui/app.js");
        String etag = first.header("etag");
        assertThat(etag).startsWith("\"").endsWith("\"");
        assertThat(first.header("cache-control")).isEqualTo("no-cache");
        RawHttpClient.Response again = send("GET /ui/app.js HTTP/1.1\r\nHost: admin\r\nIf-None-Match: " + etag + "\r\nConnection: close\r\n\r\n", true);
        assertThat(again.status()).isEqualTo(304);
        assertThat(again.header("etag")).isEqualTo(etag);
        RawHttpClient.Response changed = send("GET /ui/app.js HTTP/1.1\r\nHost: admin\r\nIf-None-Match: \"other\"\r\nConnection: close\r\n\r\n", false);
        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.body()).isEqualTo(first.body());
    }

    @Test
    void headAnswersTheHeadersAlone() {
        RawHttpClient.Response r = send("HEAD /ui/style.css HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n", true);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("content-type")).isEqualTo("text/css; charset=utf-8");
        assertThat(Integer.parseInt(r.header("content-length"))).isEqualTo(get("/ui/style.css").body().length);
    }

    @Test
    void otherMethodsAre405() {
        RawHttpClient.Response r = send("POST /ui/app.js HTTP/1.1\r\nHost: admin\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", false);
        assertThat(r.status()).isEqualTo(405);
        assertThat(r.header("allow")).isEqualTo("GET, HEAD");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/ui/../logback.xml",
            "/ui/%2e%2e/logback.xml",
            "/ui/%2E%2E/%2E%2E/pom.xml",
            "/ui/..%2flogback.xml",
            "/ui/views/../../logback.xml",
            "/ui//etc/passwd",
            "/ui/%2fetc%2fpasswd",
            "/ui/..\\logback.xml",
            "/ui/vendor/uplot/../../../../io/graygate/admin/AdminApi.class",
            "/ui/vendor/uplot/../LICENSE",
            "/ui/vendor/uplot/../package.json",
            "/ui/vendor/uplot/uPlot.d.ts",
            "/ui/../../META-INF/MANIFEST.MF",
            "/ui/.hidden.js",
            "/ui/",
            "/ui/views/",
            "/ui/vendor/uplot/",
            "/ui/nothing-here.js",
            "/ui/index.html.bak",
            "/ui/logback.xml",
            "/index.html/../logback.xml",
    })
    void nothingOutsideTheDashboardsFilesIsServed(String path) {
        RawHttpClient.Response r = get(path);
        assertThat(r.status()).as(path).isIn(401, 404);
        assertThat(r.bodyText()).as(path).startsWith("{\"error\":");
        if (path.startsWith("/ui/")) {
            assertThat(r.status()).as(path).isEqualTo(404);
            assertThat(r.header("content-type")).as(path).startsWith("application/json");
        }
    }
}
