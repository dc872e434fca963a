package io.graygate.store.redis;

import io.graygate.rules.RuleBook;
import io.graygate.rules.RuleChange;
import io.graygate.store.RuleStores;
import io.graygate.testing.RedisProcess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * rediss:// speaks TLS: against a TLS-only port a node connects with verifyPeer=false (self-signed certificate) and
 * refuses the unverifiable certificate otherwise. Needs a redis-server built with TLS (Debian's is); the binary
 * shipped in the embedded-redis jar is not, and there this test is skipped.
 */
class RedisTlsTest {

    @TempDir
    Path dir;

    @Test
    void aRedissUriTalksTlsAndVerifiesThePeerUnlessToldNotTo() throws Exception {
        Path cert = dir.resolve("redis.crt"), key = dir.resolve("redis.key");
        selfSignedCertificate(cert, key);
        int tlsPort = RedisProcess.freePort();
        RedisProcess redis;
        try {
            redis = RedisProcess.start("--tls-port", Integer.toString(tlsPort), "--tls-cert-file", cert.toString(),
                    "--tls-key-file", key.toString(), "--tls-ca-cert-file", cert.toString(), "--tls-auth-clients", "no");
        } catch (RuntimeException e) {
            Assumptions.abort("this redis-server has no TLS support: " + e.getMessage());
            return;
        }
        try (redis; RedisNodes nodes = new RedisNodes(dir)) {
            String tls = "rediss://127.0.0.1:" + tlsPort + "/0";

            RuleBook trusting = nodes.open(RedisNodes.config(nodes.storeUri(tls + "?verifyPeer=false", "trusting")));
            assertThat(trusting.store().status().connected()).isTrue();
            assertThat(nodes.plainClient(redis).hget("graygate:route:web", "revision")).isEqualTo("1");

            RuleBook verifying = nodes.open(RedisNodes.config(nodes.storeUri(tls, "verifying")));
            assertThat(verifying.store().status().connected()).isFalse();
            assertThat(verifying.store().status().rulesFrom()).isEqualTo("configuration");
        }
    }

    /** A self-signed certificate for 127.0.0.1 made with the JDK's keytool, written as PEM for redis-server. */
    private void selfSignedCertificate(Path cert, Path key) throws Exception {
        Path store = dir.resolve("redis.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "redis", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-keystore", store.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit");
        run(keytool, "-exportcert", "-rfc", "-alias", "redis", "-keystore", store.toString(), "-storepass", "changeit",
                "-file", cert.toString());
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(store.toFile())) {
            ks.load(in, "changeit".toCharArray());
        }
        PrivateKey pk = (PrivateKey) ks.getKey("redis", "changeit".toCharArray());
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pk.getEncoded()) + "\n-----END PRIVATE KEY-----\n");
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }
}
