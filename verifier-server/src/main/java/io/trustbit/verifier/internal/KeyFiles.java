package io.trustbit.verifier.internal;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Secret and key files in the data directory: created once with mode 0600 (never widened), PEM for keys
 * and certificates, a random admin token.
 */
public final class KeyFiles {
    private static final SecureRandom RANDOM = new SecureRandom();

    private KeyFiles() {}

    /** Writes {@code content} to a new file readable only by its owner; fails if the file exists. */
    public static void writeSecret(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.write(file, content);
    }

    /** The admin token in {@code file}, created (64 hex digits of randomness) if absent. */
    public static String adminToken(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] t = new byte[32];
            RANDOM.nextBytes(t);
            try {
                writeSecret(file, (HexFormat.of().formatHex(t) + "\n").getBytes(StandardCharsets.US_ASCII));
            } catch (FileAlreadyExistsException e) {
                // another process created it first: use theirs
            }
        }
        String token = Files.readString(file, StandardCharsets.US_ASCII).strip();
        if (token.length() < 16) {
            throw new IOException(file + ": admin token shorter than 16 characters");
        }
        return token;
    }

    public static KeyPair newP256() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK lacks P-256", e);
        }
    }

    /** An EC P-256 key pair from a PEM file, created if absent. */
    public static KeyPair p256KeyPair(Path file) throws IOException {
        if (!Files.exists(file)) {
            KeyPair kp = newP256();
            try {
                writeSecret(file, pkcs8Pem(kp.getPrivate()).getBytes(StandardCharsets.US_ASCII));
            } catch (FileAlreadyExistsException e) {
                // created concurrently: read it below
            }
        }
        return readKeyPair(file);
    }

    public static KeyPair readKeyPair(Path file) throws IOException {
        try (PEMParser p = new PEMParser(new StringReader(Files.readString(file, StandardCharsets.US_ASCII)))) {
            Object o = p.readObject();
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair kp) {
                o = kp.getPrivateKeyInfo();
            }
            if (o instanceof PrivateKeyInfo info) {
                PrivateKey priv = conv.getPrivateKey(info);
                if (priv instanceof java.security.interfaces.ECPrivateKey ec) {
                    return new KeyPair(ecPublicFromPrivate(ec), priv);
                }
                throw new IOException(file + ": only EC private keys are supported");
            }
            throw new IOException(file + ": no PEM private key");
        }
    }

    public static PrivateKey readPrivateKey(Path file) throws IOException {
        return readKeyPair(file).getPrivate();
    }

    private static java.security.PublicKey ecPublicFromPrivate(java.security.interfaces.ECPrivateKey ec)
            throws IOException {
        try {
            org.bouncycastle.jce.spec.ECNamedCurveParameterSpec spec =
                    org.bouncycastle.jce.ECNamedCurveTable.getParameterSpec("secp256r1");
            org.bouncycastle.math.ec.ECPoint q = spec.getG().multiply(ec.getS()).normalize();
            java.security.spec.ECPoint w = new java.security.spec.ECPoint(q.getAffineXCoord().toBigInteger(),
                    q.getAffineYCoord().toBigInteger());
            return java.security.KeyFactory.getInstance("EC")
                    .generatePublic(new java.security.spec.ECPublicKeySpec(w, ec.getParams()));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot derive the public key", e);
        }
    }

    /** A private key as PKCS#8 PEM ({@code BEGIN PRIVATE KEY}). */
    public static String pkcs8Pem(PrivateKey key) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    public static String pem(Object o) {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return sw.toString();
    }

    public static List<X509Certificate> readCertificates(Path file) throws IOException {
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            List<X509Certificate> out = new ArrayList<>();
            try (var in = Files.newInputStream(file)) {
                for (var c : cf.generateCertificates(in)) {
                    out.add((X509Certificate) c);
                }
            }
            if (out.isEmpty()) {
                throw new IOException(file + ": no certificate");
            }
            return out;
        } catch (java.security.cert.CertificateException e) {
            throw new IOException(file + ": not an X.509 certificate file", e);
        }
    }

    /** A self-signed TLS server certificate for localhost, 127.0.0.1, ::1 and {@code extraHost}. */
    public static X509Certificate selfSigned(KeyPair kp, String extraHost) {
        try {
            Instant now = Instant.now();
            X500Name name = new X500Name("CN=trustbit verifier");
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, new BigInteger(64, RANDOM).abs(),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(3650))), name,
                    kp.getPublic());
            List<GeneralName> sans = new ArrayList<>(List.of(new GeneralName(GeneralName.dNSName, "localhost"),
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.iPAddress, "::1")));
            if (extraHost != null && !extraHost.isBlank() && !List.of("localhost", "127.0.0.1", "::1", "0.0.0.0")
                    .contains(extraHost)) {
                sans.add(new GeneralName(Character.isDigit(extraHost.charAt(0)) || extraHost.contains(":")
                        ? GeneralName.iPAddress : GeneralName.dNSName, extraHost));
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            X509CertificateHolder h = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()));
            return new JcaX509CertificateConverter().getCertificate(h);
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot create the self-signed certificate", e);
        }
    }

    /** SHA-256 of the certificate's DER, colon-separated upper-case hex (as {@code openssl x509 -fingerprint}). */
    public static String fingerprint(X509Certificate cert) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
