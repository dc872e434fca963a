package io.graygate.proxy;

import io.graygate.testing.RawHttpClient;
import io.graygate.testing.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ProxyForwardingTest {

    @TempDir
    Path dir;

    TestUpstream production;
    TestUpstream gray;
    ProxyHarness proxy;

    @BeforeEach
    void start() {
        production = TestUpstream.start("production");
        gray = TestUpstream.start("gray");
        proxy = ProxyHarness.start(dir, ProxyHarness.twoGroups(production.hostPort(), gray.hostPort(), "", """
                proxy:
                  versionHeader: true
                  ioThreads: 1
                """));
    }

    @AfterEach
    void stop() {
        proxy.close();
        production.close();
        gray.close();
    }

    @Test
    void getIsAnsweredByTheStableUpstream() {
        HttpResponse<String> r = proxy.get("/hello");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("production");
        assertThat(r.headers().firstValue("x-graygate-version")).hasValue("production");
        assertThat(production.lastRequest().uri).isEqualTo("/hello");
    }

    @Test
    void keptAliveClientRequestsReuseOneUpstreamConnection() {
        try (RawHttpClient client = RawHttpClient.connect(proxy.address())) {
            for (int i = 0; i < 5; i++) {
                RawHttpClient.Response r = client.get("/n" + i, "example.test").read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.bodyText()).isEqualTo("production");
            }
        }
        try (RawHttpClient other = RawHttpClient.connect(proxy.address())) {
            assertThat(other.get("/again", "example.test").read().bodyText()).isEqualTo("production");
        }

        assertThat(production.requests()).hasSize(6);
        assertThat(production.connections()).isEqualTo(1);
    }
}
