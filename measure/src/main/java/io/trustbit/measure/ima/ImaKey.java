package io.trustbit.measure.ima;

import io.trustbit.measure.FormatException;
import io.trustbit.measure.HashAlg;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.util.PublicKeyFactory;

/**
 * A public key IMA signatures may be verified with, and its 32-bit key id: the last four bytes of the
 * certificate's subject key identifier, or, without one, of the SHA-1 of the subjectPublicKey bits (RFC 5280
 * §4.2.1.2 method 1), which is how evmctl computes it (calc_keyid_v2) and how the kernel finds the key
 * ({@code id:<keyid>} against the key's SKI). ECDSA on P-256 or P-384 and RSA of 2048 to 8192 bits.
 */
public final class ImaKey {
    private final SubjectPublicKeyInfo spki;
    private final AsymmetricKeyParameter key;
    private final int keyId;

    private ImaKey(SubjectPublicKeyInfo spki, AsymmetricKeyParameter key, int keyId) {
        this.spki = spki;
        this.key = key;
        this.keyId = keyId;
    }

    /** A key from an X.509 certificate (DER), with the key id from its subject key identifier if it has one. */
    public static ImaKey fromCertificate(byte[] der) throws FormatException {
        Certificate cert;
        try {
            cert = Certificate.getInstance(der);
        } catch (RuntimeException e) {
            throw new FormatException("not a DER X.509 certificate: " + e.getMessage(), e);
        }
        if (cert == null) {
            throw new FormatException("not a DER X.509 certificate");
        }
        requireWhole(der, cert, "certificate");
        SubjectPublicKeyInfo spki = cert.getSubjectPublicKeyInfo();
        Extensions ext = cert.getTBSCertificate().getExtensions();
        Extension ski = ext == null ? null : ext.getExtension(Extension.subjectKeyIdentifier);
        if (ski == null) {
            return fromPublicKeyInfo(spki, null);
        }
        byte[] id;
        try {
            id = ASN1OctetString.getInstance(ski.getParsedValue()).getOctets();
        } catch (RuntimeException e) {
            throw new FormatException("certificate subject key identifier is malformed", e);
        }
        if (id.length < 4) {
            throw new FormatException("certificate subject key identifier has " + id.length + " bytes, fewer than 4");
        }
        return fromPublicKeyInfo(spki, keyIdOf(id));
    }

    /** A key from a DER SubjectPublicKeyInfo; {@code keyId} null derives it from the key. */
    public static ImaKey fromPublicKey(byte[] spkiDer, Integer keyId) throws FormatException {
        SubjectPublicKeyInfo spki;
        try {
            spki = SubjectPublicKeyInfo.getInstance(spkiDer);
        } catch (RuntimeException e) {
            throw new FormatException("not a DER SubjectPublicKeyInfo: " + e.getMessage(), e);
        }
        if (spki == null) {
            throw new FormatException("not a DER SubjectPublicKeyInfo");
        }
        requireWhole(spkiDer, spki, "public key");
        return fromPublicKeyInfo(spki, keyId);
    }

    /** A certificate or a SubjectPublicKeyInfo, whichever the DER is. */
    public static ImaKey fromDer(byte[] der, Integer keyId) throws FormatException {
        try {
            ImaKey k = fromCertificate(der);
            return keyId == null ? k : new ImaKey(k.spki, k.key, keyId);
        } catch (FormatException notCertificate) {
            return fromPublicKey(der, keyId);
        }
    }

    private static void requireWhole(byte[] der, org.bouncycastle.asn1.ASN1Object parsed, String what) throws FormatException {
        try {
            if (!Arrays.equals(parsed.getEncoded("DER"), der)) {
                throw new FormatException(what + " is not in DER or has trailing bytes");
            }
        } catch (IOException e) {
            throw new FormatException(what + " cannot be re-encoded: " + e.getMessage(), e);
        }
    }

    static ImaKey fromPublicKeyInfo(SubjectPublicKeyInfo spki, Integer keyId) throws FormatException {
        AsymmetricKeyParameter key;
        try {
            key = PublicKeyFactory.createKey(spki);
        } catch (IOException | RuntimeException e) {
            throw new FormatException("public key is not usable: " + e.getMessage(), e);
        }
        if (key instanceof ECPublicKeyParameters ec) {
            int bits = ec.getParameters().getCurve().getFieldSize();
            String name = ec.getParameters().getCurve().equals(
                    org.bouncycastle.asn1.nist.NISTNamedCurves.getByName("P-256").getCurve()) ? "P-256"
                    : ec.getParameters().getCurve().equals(org.bouncycastle.asn1.nist.NISTNamedCurves.getByName("P-384").getCurve())
                            ? "P-384" : null;
            if (name == null) {
                throw new FormatException("ECDSA key on a " + bits + "-bit curve that is not P-256 or P-384");
            }
        } else if (key instanceof RSAKeyParameters rsa) {
            int bits = rsa.getModulus().bitLength();
            if (bits < 2048 || bits > 8192) {
                throw new FormatException("RSA key of " + bits + " bits (2048 to 8192 are accepted)");
            }
        } else {
            throw new FormatException("key type " + spki.getAlgorithm().getAlgorithm().getId()
                    + " is not ECDSA or RSA (the kernel verifies IMA signatures with those only)");
        }
        int id = keyId != null ? keyId : keyIdOf(HashAlg.SHA1.digest(spki.getPublicKeyData().getBytes()));
        return new ImaKey(spki, key, id);
    }

    private static int keyIdOf(byte[] b) {
        return new BigInteger(1, Arrays.copyOfRange(b, b.length - 4, b.length)).intValue();
    }

    /** The 32-bit key id a signature v2 header names. */
    public int keyId() {
        return keyId;
    }

    /** The key id as eight lower-case hex digits. */
    public String keyIdHex() {
        return String.format("%08x", keyId);
    }

    /** The DER SubjectPublicKeyInfo. */
    public byte[] publicKeyDer() {
        try {
            return spki.getEncoded("DER");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public boolean isRsa() {
        return key instanceof RSAKeyParameters;
    }

    AsymmetricKeyParameter parameters() {
        return key;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImaKey k && k.keyId == keyId && Arrays.equals(k.publicKeyDer(), publicKeyDer());
    }

    @Override
    public int hashCode() {
        return keyId;
    }

    @Override
    public String toString() {
        return (isRsa() ? "RSA" : "ECDSA") + " key " + keyIdHex();
    }
}
