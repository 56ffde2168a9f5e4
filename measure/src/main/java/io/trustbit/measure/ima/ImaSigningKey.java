package io.trustbit.measure.ima;

import io.trustbit.measure.AtomicFiles;
import io.trustbit.measure.FormatException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Locale;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import io.trustbit.measure.HashAlg;

/**
 * A key that signs applications for IMA appraisal: ECDSA P-256 or RSA (the kernel verifies IMA signatures
 * with those; it does not take Ed25519). Written as {@code NAME.key} (unencrypted PKCS#8 PEM, mode 0600, as
 * {@code evmctl ima_sign --key} reads it), {@code NAME.pub} (SubjectPublicKeyInfo PEM) and {@code NAME.der}
 * (a self-signed X.509 certificate in DER with a subject key identifier, as {@code evmctl import} and the
 * kernel's .ima keyring take it).
 */
public final class ImaSigningKey {
    /** Largest key file read. */
    public static final int MAX_PEM = 64 * 1024;

    /** The key types {@code trustbit key new --type} creates. */
    public enum Type {
        ECDSA_P256("ecdsa-p256"), RSA_2048("rsa-2048"), RSA_3072("rsa-3072");

        private final String cliName;

        Type(String cliName) {
            this.cliName = cliName;
        }

        public String cliName() {
            return cliName;
        }

        public static Type fromCliName(String n) {
            for (Type t : values()) {
                if (t.cliName.equals(n.toLowerCase(Locale.ROOT))) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown key type '" + n + "' (ecdsa-p256, rsa-2048, rsa-3072)");
        }
    }

    private final PrivateKeyInfo privateInfo;
    private final AsymmetricKeyParameter privateParameters;
    private final ImaKey publicKey;

    private ImaSigningKey(PrivateKeyInfo privateInfo, SubjectPublicKeyInfo spki) throws FormatException {
        this.privateInfo = privateInfo;
        try {
            this.privateParameters = PrivateKeyFactory.createKey(privateInfo);
        } catch (IOException | RuntimeException e) {
            throw new FormatException("private key is not usable: " + e.getMessage(), e);
        }
        this.publicKey = ImaKey.fromPublicKeyInfo(spki, null);
    }

    public static ImaSigningKey generate(Type type) {
        try {
            KeyPairGenerator g;
            if (type == Type.ECDSA_P256) {
                g = KeyPairGenerator.getInstance("EC");
                g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            } else {
                g = KeyPairGenerator.getInstance("RSA");
                g.initialize(new RSAKeyGenParameterSpec(type == Type.RSA_2048 ? 2048 : 3072, RSAKeyGenParameterSpec.F4),
                        new SecureRandom());
            }
            KeyPair kp = g.generateKeyPair();
            return new ImaSigningKey(PrivateKeyInfo.getInstance(kp.getPrivate().getEncoded()),
                    SubjectPublicKeyInfo.getInstance(kp.getPublic().getEncoded()));
        } catch (GeneralSecurityException | FormatException e) {
            throw new IllegalStateException("key generation failed: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a PEM private key: PKCS#8 ({@code PRIVATE KEY}) or OpenSSL's traditional {@code EC PRIVATE KEY}
     * / {@code RSA PRIVATE KEY}. Encrypted keys are refused.
     */
    public static ImaSigningKey fromPem(byte[] pem) throws FormatException {
        if (pem.length > MAX_PEM) {
            throw new FormatException("key file is larger than " + MAX_PEM + " bytes");
        }
        Object o;
        try (PEMParser p = new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
            o = p.readObject();
        } catch (IOException | RuntimeException e) {
            throw new FormatException("not a PEM private key: " + e.getMessage(), e);
        }
        try {
            if (o instanceof PrivateKeyInfo info) {
                PrivateKey jca = new org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter().getPrivateKey(info);
                return new ImaSigningKey(info, publicOf(jca));
            }
            if (o instanceof PEMKeyPair pair) {
                return new ImaSigningKey(pair.getPrivateKeyInfo(), pair.getPublicKeyInfo());
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new FormatException("private key is not usable: " + e.getMessage(), e);
        }
        throw new FormatException(o == null ? "no PEM object found" : "PEM object " + o.getClass().getSimpleName()
                + " is not an unencrypted ECDSA or RSA private key");
    }

    private static SubjectPublicKeyInfo publicOf(PrivateKey key) throws GeneralSecurityException {
        if (key instanceof java.security.interfaces.RSAPrivateCrtKey rsa) {
            return SubjectPublicKeyInfo.getInstance(java.security.KeyFactory.getInstance("RSA")
                    .generatePublic(new java.security.spec.RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent())).getEncoded());
        }
        if (key instanceof java.security.interfaces.ECPrivateKey ec) {
            org.bouncycastle.jce.spec.ECParameterSpec spec = org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util
                    .convertSpec(ec.getParams());
            org.bouncycastle.math.ec.ECPoint q = spec.getG().multiply(ec.getS()).normalize();
            java.security.spec.ECPoint w = new java.security.spec.ECPoint(q.getAffineXCoord().toBigInteger(),
                    q.getAffineYCoord().toBigInteger());
            return SubjectPublicKeyInfo.getInstance(java.security.KeyFactory.getInstance("EC")
                    .generatePublic(new java.security.spec.ECPublicKeySpec(w, ec.getParams())).getEncoded());
        }
        throw new GeneralSecurityException("key type " + key.getAlgorithm() + " is not ECDSA or RSA");
    }

    public ImaKey publicKey() {
        return publicKey;
    }

    AsymmetricKeyParameter privateParameters() {
        return privateParameters;
    }

    /** PKCS#8 PEM of the private key. */
    public byte[] privatePem() {
        try {
            return pem("PRIVATE KEY", privateInfo.getEncoded("DER"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SubjectPublicKeyInfo PEM. */
    public byte[] publicPem() {
        return pem("PUBLIC KEY", publicKey.publicKeyDer());
    }

    /**
     * A self-signed X.509 v3 certificate (DER) for {@code commonName}, valid for {@code validity} from now: a
     * subject key identifier (SHA-1 of the subjectPublicKey bits), the matching authority key identifier,
     * basicConstraints CA:FALSE, keyUsage digitalSignature and extendedKeyUsage codeSigning.
     */
    public byte[] selfSignedCertificate(String commonName, Duration validity) {
        try {
            PrivateKey jca = new org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter().getPrivateKey(privateInfo);
            SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(publicKey.publicKeyDer());
            byte[] ski = HashAlg.SHA1.digest(spki.getPublicKeyData().getBytes());
            X500Name name = new X500Name("CN=" + commonName.replaceAll("[,+=\"\\\\<>;#]", "_"));
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new X509v3CertificateBuilder(name, new BigInteger(64, new SecureRandom()).setBit(63),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(validity)), name, spki);
            b.addExtension(Extension.subjectKeyIdentifier, false, new SubjectKeyIdentifier(ski));
            b.addExtension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(ski));
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning));
            String alg = publicKey.isRsa() ? "SHA256withRSA" : "SHA256withECDSA";
            return b.build(new JcaContentSignerBuilder(alg).build(jca)).getEncoded();
        } catch (IOException | OperatorCreationException e) {
            throw new IllegalStateException("certificate creation failed: " + e.getMessage(), e);
        }
    }

    /** Writes {@code base.key} (0600), {@code base.pub} and {@code base.der} atomically. */
    public void write(Path base, String commonName) throws IOException {
        AtomicFiles.writeSecret(base.resolveSibling(base.getFileName() + ".key"), privatePem());
        AtomicFiles.write(base.resolveSibling(base.getFileName() + ".pub"), publicPem());
        AtomicFiles.write(base.resolveSibling(base.getFileName() + ".der"),
                selfSignedCertificate(commonName, Duration.ofDays(3650)));
    }

    /** Reads a private key file (see {@link #fromPem}). */
    public static ImaSigningKey read(Path file) throws IOException, FormatException {
        if (Files.size(file) > MAX_PEM) {
            throw new FormatException(file + ": larger than " + MAX_PEM + " bytes");
        }
        return fromPem(Files.readAllBytes(file));
    }

    private static byte[] pem(String type, byte[] der) {
        StringWriter sw = new StringWriter();
        try (PemWriter w = new PemWriter(sw)) {
            w.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return sw.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
