package io.graygate.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed certificates made at test time with the {@code openssl} command (EC P-256, valid two days), so no
 * private key is ever committed. Each is its own CA: a client verifies it with {@code --cacert CERT}.
 */
public final class TestCertificates {

    /** The PEM files of one certificate and its PKCS#8 key. */
    public record Pair(Path cert, Path key) {
        /** YAML flow mapping for a listener's certificates list. */
        public String yaml() {
            return "{cert: \"" + cert + "\", key: \"" + key + "\"}";
        }

        /** Replaces the files of {@code target} with these, each by an atomic rename, as a deploy tool would. */
        public void installOver(Pair target) throws IOException {
            Path certTmp = Files.copy(cert, target.cert().resolveSibling(target.cert().getFileName() + ".new"), StandardCopyOption.REPLACE_EXISTING);
            Path keyTmp = Files.copy(key, target.key().resolveSibling(target.key().getFileName() + ".new"), StandardCopyOption.REPLACE_EXISTING);
            Files.move(certTmp, target.cert(), StandardCopyOption.ATOMIC_MOVE);
            Files.move(keyTmp, target.key(), StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private TestCertificates() {
    }

    /** A certificate for {@code dnsNames} (the first is also its CN), written as {@code dir/NAME.crt} and {@code dir/NAME.key}. */
    public static Pair issue(Path dir, String name, String... dnsNames) throws IOException, InterruptedException {
        Path cert = dir.resolve(name + ".crt"), key = dir.resolve(name + ".key");
        List<String> san = new ArrayList<>();
        for (String n : dnsNames) san.add("DNS:" + n);
        run(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=" + dnsNames[0],
                "-addext", "subjectAltName=" + String.join(",", san));
        return new Pair(cert, key);
    }

    private static void run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException(String.join(" ", command) + " failed: " + out);
    }
}
