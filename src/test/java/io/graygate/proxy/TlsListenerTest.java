package io.graygate.proxy;

import ch.qos.logback.classic.Level;
import io.graygate.config.ConfigException;
import io.graygate.config.GatewayConfig;
import io.graygate.testing.Curl;
import io.graygate.testing.GatewayProcess;
import io.graygate.testing.LogCapture;
import io.graygate.testing.Polling;
import io.graygate.testing.RawHttpClient;
import io.graygate.testing.TestCertificates;
import io.graygate.testing.TestUpstream;
import io.graygate.testing.TlsProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TLS listeners: curl over HTTP/1.1 and HTTP/2, SNI, X-Forwarded-Proto, certificates refused and swapped live. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsListenerTest {

    @TempDir
    static Path dir;

    static TestUpstream upstream;
    static TestCertificates.Pair a;
    static TestCertificates.Pair b;

    @BeforeAll
    static void certificatesAndAnUpstream() throws Exception {
        upstream = TestUpstream.start("production");
        a = TestCertificates.issue(dir, "a", "a.test", "*.a.test");
        b = TestCertificates.issue(dir, "b", "b.test");
    }

    @AfterAll
    static void stop() {
        if (upstream != null) upstream.close();
    }

    /** Two listeners, TLS with these certificates first, then plain; everything but the store. */
    static String tlsYaml(String certificates, String extra) {
        return """
                listeners:
                  - address: 127.0.0.1:0
                    tls:
                      certificates: [%s]
                  - address: 127.0.0.1:0
                upstreams:
                  production: {servers: ["%s"]}
                routes:
                  - {name: app, stable: production, gray: production}
                """.formatted(certificates, upstream.hostPort()) + extra;
    }

    static ProxyHarness tlsProxy(Path d, String certificates, String extra) {
        return ProxyHarness.start(d, tlsYaml(certificates, extra));
    }

    static String resolve(ProxyHarness p, String host) {
        return host + ":" + p.proxy.address(0).getPort() + ":127.0.0.1";
    }

    @Test
    void curlGetsAnswersOverTlsWithHttp1AndHttp2AndTheUpstreamSeesHttpsAsTheProtocol(@TempDir Path d) throws Exception {
        try (ProxyHarness p = tlsProxy(d, a.yaml(), "")) {
            String url = "https://a.test:" + p.proxy.address(0).getPort() + "/h?echo=headers";
            for (String version : List.of("--http1.1", "--http2")) {
                Curl.Result r = Curl.run(version, "--cacert", a.cert().toString(), "--resolve", resolve(p, "a.test"),
                        "-w", "\nversion=%{http_version} status=%{http_code}", url);
                assertThat(r.ok()).as(r.err()).isTrue();
                assertThat(r.out()).contains("version=" + (version.equals("--http2") ? "2" : "1.1") + " status=200");
                assertThat(r.out()).startsWith("GET /h?echo=headers HTTP/1.1\n");
                TestUpstream.Received got = upstream.lastRequest();
                assertThat(got.headers("x-forwarded-proto")).containsExactly("https");
                assertThat(got.header("host")).isEqualTo("a.test:" + p.proxy.address(0).getPort());
                assertThat(got.headers).extracting(h -> h.getKey().toLowerCase()).noneMatch(n -> n.startsWith("x-http2-"));
            }
        }
    }

    @Test
    void sniPicksTheCertificateByNameWildcardsIncludedAndTheFirstIsTheDefault(@TempDir Path d) throws Exception {
        try (ProxyHarness p = tlsProxy(d, a.yaml() + ", " + b.yaml(), "")) {
            InetSocketAddress at = p.proxy.address(0);
            assertThat(TlsProbe.servedName(at, "b.test")).isEqualTo("b.test");
            assertThat(TlsProbe.servedName(at, "a.test")).isEqualTo("a.test");
            assertThat(TlsProbe.servedName(at, "www.a.test")).isEqualTo("a.test");
            assertThat(TlsProbe.servedName(at, "other.test")).as("an unknown name gets the first").isEqualTo("a.test");
            assertThat(TlsProbe.servedName(at, null)).as("no SNI gets the first").isEqualTo("a.test");
            // and curl verifies b's certificate for b.test, over HTTP/2
            Curl.Result r = Curl.run("--http2", "--cacert", b.cert().toString(), "--resolve", resolve(p, "b.test"),
                    "https://b.test:" + at.getPort() + "/");
            assertThat(r.ok()).as(r.err()).isTrue();
            assertThat(r.out()).isEqualTo("production");
        }
    }

    @Test
    void aTrustedProxysForwardedProtoIsKeptAndAnyoneElsesIsReplaced(@TempDir Path d) throws Exception {
        for (boolean trusted : List.of(true, false)) {
            String trust = trusted ? "clientIp: {trustedProxies: [127.0.0.1/32]}\n" : "";
            try (ProxyHarness p = tlsProxy(d, a.yaml(), trust);
                 RawHttpClient c = RawHttpClient.connect(p.proxy.address(1))) {
                c.send("GET /p HTTP/1.1\r\nHost: x\r\nX-Forwarded-Proto: https\r\n\r\n").read();
                assertThat(upstream.lastRequest().headers("x-forwarded-proto")).as("trusted " + trusted)
                        .containsExactly(trusted ? "https" : "http");
            }
        }
    }

    @Test
    void aCertificateThatDoesNotLoadIsRefusedAtStartWithItsPath(@TempDir Path d) {
        String mismatched = "{cert: \"" + a.cert() + "\", key: \"" + b.key() + "\"}";
        assertThatThrownBy(() -> tlsProxy(d, mismatched, "")).isInstanceOf(ConfigException.class)
                .hasMessage("listeners[0].tls.certificates[0].key: " + b.key() + ": the key does not match the certificate");
        String missing = "{cert: \"" + d.resolve("none.crt") + "\", key: \"" + a.key() + "\"}";
        assertThatThrownBy(() -> tlsProxy(d, missing, "")).isInstanceOf(ConfigException.class)
                .hasMessage("listeners[0].tls.certificates[0].cert: " + d.resolve("none.crt") + ": no such file");
        String notPem = "{cert: \"" + a.key() + "\", key: \"" + a.key() + "\"}";
        assertThatThrownBy(() -> tlsProxy(d, notPem, "")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("listeners[0].tls.certificates[0].cert: " + a.key() + ": ");
    }

    @Test
    void aBadNewCertificateIsRefusedWithAMessageAndTheOldOneStays(@TempDir Path d) throws Exception {
        TestCertificates.Pair live = copy(a, d, "live");
        try (ProxyHarness p = tlsProxy(d, live.yaml(), "");
             LogCapture log = LogCapture.of(Level.INFO, "io.graygate.proxy.tls")) {
            InetSocketAddress at = p.proxy.address(0);
            Files.writeString(live.cert(), "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
            Polling.await("the watcher refusing the broken certificate", Duration.ofSeconds(10),
                    () -> log.lines().stream().anyMatch(l -> l.startsWith("ERROR") && l.contains("new certificate refused, the one in force stays: "
                            + "listeners[0].tls.certificates[0].cert: " + live.cert() + ": not a PEM certificate chain")));
            assertThat(TlsProbe.servedName(at, "a.test")).isEqualTo("a.test");
            assertThatThrownBy(() -> p.proxy.reloadCertificates()).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("listeners[0].tls.certificates[0].cert: " + live.cert() + ": not a PEM certificate chain");
            assertThat(Curl.run("--cacert", a.cert().toString(), "--resolve", resolve(p, "a.test"), "https://a.test:" + at.getPort() + "/").out())
                    .isEqualTo("production");
            long refusals = log.lines().stream().filter(l -> l.contains("refused")).count();
            assertThat(refusals).as("logged once per change, not per look: " + log.lines()).isEqualTo(1);
        }
    }

    @Test
    void aCertificateSwappedOnDiskUnderLoadFailsNoRequestAndOpenConnectionsCarryOn(@TempDir Path d) throws Exception {
        TestCertificates.Pair live = copy(a, d, "live");
        TestCertificates.Pair next = TestCertificates.issue(d, "next", "a.test", "next.a.test");
        try (ProxyHarness p = tlsProxy(d, live.yaml(), "");
             TlsProbe kept = TlsProbe.connect(p.proxy.address(0), "a.test")) {
            InetSocketAddress at = p.proxy.address(0);
            assertThat(kept.exchange("GET /before HTTP/1.1\r\nHost: a.test\r\n\r\n")).endsWith("production");
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger ok = new AtomicInteger();
            List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            Set<String> served = ConcurrentHashMap.newKeySet();
            List<Thread> load = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                Thread th = new Thread(() -> {
                    while (!stop.get()) {
                        try (TlsProbe c = TlsProbe.connect(at, "a.test")) {
                            String r = c.exchange("GET /load HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n");
                            if (r.startsWith("HTTP/1.1 200") && r.endsWith("production")) {
                                ok.incrementAndGet();
                                served.add(c.servedSerial());
                            } else {
                                failures.add(r);
                            }
                        } catch (IOException e) {
                            failures.add(e.toString());
                        }
                    }
                }, "tls-load-" + t);
                th.start();
                load.add(th);
            }
            Polling.await("requests before the swap", Duration.ofSeconds(20), () -> ok.get() >= 50);
            String before = TlsProbe.connect(at, "a.test").servedSerial();
            next.installOver(live);
            Polling.await("the new certificate in force", Duration.ofSeconds(10), () -> {
                try (TlsProbe c = TlsProbe.connect(at, "a.test")) {
                    return !c.servedSerial().equals(before);
                } catch (IOException e) {
                    failures.add(e.toString());
                    return false;
                }
            });
            int atSwap = ok.get();
            Polling.await("requests after the swap", Duration.ofSeconds(20), () -> ok.get() >= atSwap + 50);
            stop.set(true);
            for (Thread th : load) th.join(10_000);
            assertThat(failures).as("failed requests").isEmpty();
            assertThat(served).as("both certificates served under the load").hasSize(2);
            assertThat(kept.exchange("GET /after HTTP/1.1\r\nHost: a.test\r\n\r\n")).as("a connection from before the swap").endsWith("production");
            assertThat(kept.servedSerial()).isEqualTo(before);
        }
    }

    @Test
    void aConfigurationReloadCanNameOtherCertificatesAndIsRefusedWholeWhenOneIsBad(@TempDir Path d) throws Exception {
        try (ProxyHarness p = tlsProxy(d, a.yaml(), "")) {
            InetSocketAddress at = p.proxy.address(0);
            GatewayConfig withB = ProxyHarness.config(d, tlsYaml(b.yaml(), ""));
            assertThat(p.proxy.reloadTls(withB)).isEqualTo(1);
            assertThat(TlsProbe.servedName(at, "b.test")).isEqualTo("b.test");
            GatewayConfig broken = ProxyHarness.config(d, tlsYaml(a.yaml() + ", {cert: \"" + d.resolve("gone.crt") + "\", key: \"" + a.key() + "\"}", ""));
            assertThatThrownBy(() -> p.proxy.reloadTls(broken)).isInstanceOf(ConfigException.class)
                    .hasMessage("listeners[0].tls.certificates[1].cert: " + d.resolve("gone.crt") + ": no such file");
            assertThat(TlsProbe.servedName(at, "a.test")).as("still b's, as before the refused reload").isEqualTo("b.test");
            assertThat(p.proxy.reloadTls(withB)).as("the same again changes nothing").isZero();
        }
    }

    @Test
    void theProtocolsSettingRefusesAClientThatOffersOnlyAnotherAndAReloadChangesIt(@TempDir Path d) throws Exception {
        try (ProxyHarness p = ProxyHarness.start(d, tlsYaml(a.yaml(), "").replace("      certificates:", "      protocols: [TLSv1.3]\n      certificates:"))) {
            InetSocketAddress at = p.proxy.address(0);
            assertThat(TlsProbe.handshakeOffering(at, "TLSv1.3")).isEqualTo("TLSv1.3");
            assertThatThrownBy(() -> TlsProbe.handshakeOffering(at, "TLSv1.2")).as("a TLS 1.2 client").isInstanceOf(SSLException.class);
            Curl.Result old = Curl.run("--tlsv1.2", "--tls-max", "1.2", "--cacert", a.cert().toString(), "--resolve", resolve(p, "a.test"),
                    "https://a.test:" + at.getPort() + "/");
            assertThat(old.exitCode()).as("curl limited to TLS 1.2: SSL connect error, " + old.err()).isEqualTo(35);

            assertThat(p.proxy.reloadTls(ProxyHarness.config(d, tlsYaml(a.yaml(), "").replace("      certificates:", "      protocols: [TLSv1.2]\n      certificates:"))))
                    .isEqualTo(1);
            assertThat(TlsProbe.handshakeOffering(at, "TLSv1.2")).isEqualTo("TLSv1.2");
            assertThatThrownBy(() -> TlsProbe.handshakeOffering(at, "TLSv1.3")).as("a TLS 1.3-only client, after the reload").isInstanceOf(SSLException.class);

            assertThat(p.proxy.reloadTls(ProxyHarness.config(d, tlsYaml(a.yaml(), "")))).as("back to the default, both").isEqualTo(1);
            assertThat(TlsProbe.handshakeOffering(at, "TLSv1.2")).isEqualTo("TLSv1.2");
            assertThat(TlsProbe.handshakeOffering(at, "TLSv1.3")).isEqualTo("TLSv1.3");
        }
    }

    @Test
    void theJdksTlsServesWhenOpenSslCannotLoadAndTheStartLineSaysWhich(@TempDir Path d) throws Exception {
        for (boolean openSsl : List.of(true, false)) {
            List<String> jvm = new ArrayList<>(GatewayProcess.DEFAULT_JVM);
            if (!openSsl) jvm.add("-Dio.netty.handler.ssl.noOpenSsl=true");
            Path rules = d.resolve("rules-" + openSsl + ".json");
            try (GatewayProcess g = GatewayProcess.start(d, "tls-" + openSsl, "store: file:" + rules + "\n" + tlsYaml(a.yaml(), ""), jvm)) {
                String https = g.proxyUris().get(0).toString();
                assertThat(https).startsWith("https://127.0.0.1:");
                int port = g.proxyUris().get(0).getPort();
                assertThat(g.output()).anyMatch(l -> l.contains("proxy listening on " + https + " (TLS by " + (openSsl ? "OpenSSL" : "JDK")));
                Curl.Result r = Curl.run("--http2", "--cacert", a.cert().toString(), "--resolve", "a.test:" + port + ":127.0.0.1",
                        "-w", " %{http_version}", "https://a.test:" + port + "/");
                assertThat(r.ok()).as(r.err()).isTrue();
                assertThat(r.out()).isEqualTo("production 2");
            }
        }
    }

    private static TestCertificates.Pair copy(TestCertificates.Pair from, Path d, String name) throws IOException {
        TestCertificates.Pair to = new TestCertificates.Pair(d.resolve(name + ".crt"), d.resolve(name + ".key"));
        Files.copy(from.cert(), to.cert());
        Files.copy(from.key(), to.key());
        return to;
    }
}
