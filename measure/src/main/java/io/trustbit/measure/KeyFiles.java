package io.trustbit.measure;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * Key files: {@code PATH.key} is a PKCS#8 PEM private key (RFC 5958; encrypted PKCS#8 with PBES2,
 * PBKDF2-HMAC-SHA256 and AES-256-CBC when a passphrase is given), mode 0600; {@code PATH.pub} is a
 * SubjectPublicKeyInfo PEM (RFC 8410). Both are readable by OpenSSL.
 */
public final class KeyFiles {
    private static final int PBKDF2_ITERATIONS = 100_000;
    private static final long MAX_PEM_SIZE = 64 * 1024;

    private KeyFiles() {}

    /** A key file could not be read: missing, malformed, not Ed25519, or a wrong passphrase. */
    public static final class KeyFileException extends Exception {
        public KeyFileException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Writes {@code base.key} (0600) and {@code base.pub} atomically. */
    public static void write(Path base, SigningKey key, char[] passphrase) throws IOException {
        Path keyFile = base.resolveSibling(base.getFileName() + ".key");
        Path pubFile = base.resolveSibling(base.getFileName() + ".pub");
        AtomicFiles.writeSecret(keyFile, privatePem(key, passphrase));
        AtomicFiles.write(pubFile, publicPem(key.publicKey()));
    }

    static byte[] privatePem(SigningKey key, char[] passphrase) throws IOException {
        // version 0 PrivateKeyInfo without the optional public key (RFC 8410, §7), as OpenSSL writes it
        PrivateKeyInfo info = new PrivateKeyInfo(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519),
                new DEROctetString(key.parameters().getEncoded()));
        PemObject pem;
        if (passphrase == null) {
            pem = new PemObject("PRIVATE KEY", info.getEncoded());
        } else {
            try {
                JceOpenSSLPKCS8EncryptorBuilder enc = new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC);
                enc.setPassword(passphrase);
                enc.setIterationCount(PBKDF2_ITERATIONS);
                enc.setPRF(PKCS8Generator.PRF_HMACSHA256);
                enc.setProvider(new BouncyCastleProvider());
                pem = new PKCS8Generator(info, enc.build()).generate();
            } catch (OperatorCreationException e) {
                throw new IOException("cannot encrypt the private key: " + e.getMessage(), e);
            }
        }
        return toPem(pem);
    }

    public static byte[] publicPem(Ed25519PublicKey key) throws IOException {
        SubjectPublicKeyInfo spki = SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(
                new Ed25519PublicKeyParameters(key.raw()));
        return toPem(new PemObject("PUBLIC KEY", spki.getEncoded()));
    }

    private static byte[] toPem(PemObject pem) throws IOException {
        StringWriter sw = new StringWriter();
        try (PemWriter w = new PemWriter(sw)) {
            w.writeObject(pem);
        }
        return sw.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Reads a private key file; {@code passphrase} is required for an encrypted one. */
    public static SigningKey readPrivate(Path file, char[] passphrase) throws KeyFileException {
        Object obj = readPem(file);
        try {
            PrivateKeyInfo info;
            if (obj instanceof PKCS8EncryptedPrivateKeyInfo enc) {
                if (passphrase == null) {
                    throw new KeyFileException(file + ": the private key is encrypted; give a passphrase file", null);
                }
                info = enc.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder()
                        .setProvider(new BouncyCastleProvider()).build(passphrase));
            } else if (obj instanceof PrivateKeyInfo pki) {
                info = pki;
            } else {
                throw new KeyFileException(file + ": not a PKCS#8 private key", null);
            }
            if (!EdECObjectIdentifiers.id_Ed25519.equals(info.getPrivateKeyAlgorithm().getAlgorithm())) {
                throw new KeyFileException(file + ": not an Ed25519 key", null);
            }
            AsymmetricKeyParameter p = PrivateKeyFactory.createKey(info);
            return new SigningKey((Ed25519PrivateKeyParameters) p);
        } catch (PKCSException | OperatorCreationException e) {
            throw new KeyFileException(file + ": cannot decrypt the private key (wrong passphrase?)", e);
        } catch (IOException | RuntimeException e) {
            throw new KeyFileException(file + ": malformed private key", e);
        }
    }

    /** Writes an HSS/LMS public key as {@code PATH.pub}: SubjectPublicKeyInfo PEM, id-alg-hss-lms-hashsig (RFC 9708). */
    public static void writeLmsPublic(Path pubFile, LmsPublicKey key) throws IOException {
        SubjectPublicKeyInfo spki = new SubjectPublicKeyInfo(
                new AlgorithmIdentifier(PKCSObjectIdentifiers.id_alg_hss_lms_hashsig), key.raw());
        AtomicFiles.write(pubFile, toPem(new PemObject("PUBLIC KEY", spki.getEncoded())));
    }

    /**
     * Reads a manifest signing key: an LMS key file (docs/formats.md, "LMS signing keys"; it cannot be
     * encrypted) or an Ed25519 PKCS#8 PEM file as {@link #readPrivate} does.
     */
    public static ManifestSigner readSigner(Path file, char[] passphrase) throws KeyFileException {
        byte[] head = new byte[4];
        try (java.io.InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(4);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new KeyFileException(file + ": no such key file", e);
        } catch (IOException e) {
            throw new KeyFileException(file + ": unreadable key file: " + e.getMessage(), e);
        }
        if (!LmsSigningKey.isLmsKeyFile(head)) {
            return readPrivate(file, passphrase);
        }
        if (passphrase != null) {
            throw new KeyFileException(file + ": an LMS key file is not encrypted; --passphrase-file does not apply", null);
        }
        try {
            return LmsSigningKey.open(file);
        } catch (IOException | FormatException e) {
            throw new KeyFileException(e.getMessage(), e);
        }
    }

    /** Reads a SubjectPublicKeyInfo PEM file holding an Ed25519 or an HSS/LMS (RFC 9708) key. */
    public static SignerPublicKey readSignerPublic(Path file) throws KeyFileException {
        Object obj = readPem(file);
        if (obj instanceof SubjectPublicKeyInfo spki
                && PKCSObjectIdentifiers.id_alg_hss_lms_hashsig.equals(spki.getAlgorithm().getAlgorithm())) {
            if (spki.getAlgorithm().getParameters() != null || spki.getPublicKeyData().getPadBits() != 0) {
                throw new KeyFileException(file + ": malformed HSS/LMS public key", null);
            }
            try {
                return LmsPublicKey.fromRaw(spki.getPublicKeyData().getOctets());
            } catch (IllegalArgumentException e) {
                throw new KeyFileException(file + ": " + e.getMessage(), e);
            }
        }
        return readPublic(file);
    }

    /** Reads a SubjectPublicKeyInfo PEM file holding an Ed25519 key. */
    public static Ed25519PublicKey readPublic(Path file) throws KeyFileException {
        Object obj = readPem(file);
        if (!(obj instanceof SubjectPublicKeyInfo spki)) {
            throw new KeyFileException(file + ": not a PEM public key", null);
        }
        if (!EdECObjectIdentifiers.id_Ed25519.equals(spki.getAlgorithm().getAlgorithm())
                || spki.getAlgorithm().getParameters() != null) {
            throw new KeyFileException(file + ": not an Ed25519 public key", null);
        }
        byte[] raw = spki.getPublicKeyData().getOctets();
        if (raw.length != 32 || spki.getPublicKeyData().getPadBits() != 0) {
            throw new KeyFileException(file + ": an Ed25519 public key has 32 bytes, not " + raw.length, null);
        }
        return Ed25519PublicKey.fromRaw(raw);
    }

    private static Object readPem(Path file) throws KeyFileException {
        try {
            if (Files.size(file) > MAX_PEM_SIZE) {
                throw new KeyFileException(file + ": larger than " + MAX_PEM_SIZE + " bytes", null);
            }
            String text = Files.readString(file, StandardCharsets.US_ASCII);
            try (PEMParser p = new PEMParser(new StringReader(text))) {
                Object obj = p.readObject();
                if (obj == null) {
                    throw new KeyFileException(file + ": no PEM object", null);
                }
                if (p.readObject() != null) {
                    throw new KeyFileException(file + ": more than one PEM object", null);
                }
                return obj;
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw new KeyFileException(file + ": no such key file", e);
        } catch (IOException | RuntimeException e) {
            throw new KeyFileException(file + ": unreadable key file: " + e.getMessage(), e);
        }
    }
}
