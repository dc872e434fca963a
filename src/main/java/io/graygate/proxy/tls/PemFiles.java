package io.graygate.proxy.tls;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;

/**
 * Reads the PEM text of a certificate chain and of an unencrypted PKCS#8 private key, and checks that they belong
 * together. Netty parses PEM too, but only inside building an SslContext, and nothing there checks that the key
 * matches the certificate: a mismatched pair would only fail at each client's handshake.
 */
final class PemFiles {

    private static final String[] KEY_ALGORITHMS = {"RSA", "EC", "Ed25519", "Ed448"};

    private PemFiles() {
    }

    /** The certificates in {@code pem}, leaf first; throws with a plain reason when there is none or one is broken. */
    static X509Certificate[] chain(byte[] pem) {
        Collection<? extends Certificate> certs;
        try {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem));
        } catch (CertificateException e) {
            throw new IllegalArgumentException("not a PEM certificate chain (" + e.getMessage() + ")");
        }
        if (certs.isEmpty()) throw new IllegalArgumentException("no certificate in it (expected -----BEGIN CERTIFICATE-----)");
        return certs.stream().map(c -> (X509Certificate) c).toArray(X509Certificate[]::new);
    }

    /** The private key in {@code pem}: PKCS#8 ("BEGIN PRIVATE KEY"), unencrypted. */
    static PrivateKey privateKey(byte[] pem) {
        String text = new String(pem, StandardCharsets.US_ASCII);
        if (text.contains("-----BEGIN RSA PRIVATE KEY-----") || text.contains("-----BEGIN EC PRIVATE KEY-----")) {
            throw new IllegalArgumentException("the key is in the older PKCS#1/SEC1 form; convert it to PKCS#8 with "
                    + "`openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8`");
        }
        if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw new IllegalArgumentException("the key is encrypted; graygate reads unencrypted PKCS#8 keys (protect the file instead)");
        }
        String begin = "-----BEGIN PRIVATE KEY-----", end = "-----END PRIVATE KEY-----";
        int from = text.indexOf(begin), to = text.indexOf(end);
        if (from < 0 || to < from) throw new IllegalArgumentException("no private key in it (expected -----BEGIN PRIVATE KEY-----)");
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the private key is not valid base64");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException notThisOne) {
                // try the next algorithm: PKCS#8 names it inside, but the JDK wants it up front
            }
        }
        throw new IllegalArgumentException("the private key is not an RSA, EC or EdDSA key that can be read");
    }

    /** Throws unless {@code key} is the private half of {@code cert}'s public key: signs a probe and verifies it. */
    static void checkPair(PrivateKey key, X509Certificate cert) {
        PublicKey pub = cert.getPublicKey();
        if (!pub.getAlgorithm().equals(key.getAlgorithm())) {
            throw new IllegalArgumentException("the key (" + key.getAlgorithm() + ") does not match the certificate (" + pub.getAlgorithm() + " key)");
        }
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // Ed25519, Ed448
        };
        byte[] probe = "graygate key check".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(pub);
            verifier.update(probe);
            if (!verifier.verify(signature)) throw new IllegalArgumentException("the key does not match the certificate");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the key does not match the certificate (" + e.getMessage() + ")");
        }
    }
}
