package io.trustbit.measure.ima;

import io.trustbit.measure.FormatException;
import io.trustbit.measure.internal.ByteReader;
import java.nio.ByteBuffer;
import java.util.Collection;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.crypto.CipherParameters;
import org.bouncycastle.crypto.Signer;
import org.bouncycastle.crypto.digests.NullDigest;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.DSADigestSigner;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.signers.RSADigestSigner;

/**
 * An IMA signature, format version 2: the value of the {@code security.ima} extended attribute that
 * {@code evmctl ima_sign} writes and the kernel appraises with {@code appraise_type=imasig} (kernel
 * security/integrity/integrity.h, struct signature_v2_hdr; integers big-endian):
 * <pre>
 *   u8   type        3 (EVM_IMA_XATTR_DIGSIG)
 *   u8   version     2
 *   u8   hash_algo   enum hash_algo of include/uapi/linux/hash_info.h (sha256 = 4)
 *   be32 keyid       last four bytes of the signing key's subject key identifier
 *   be16 sig_size
 *   u8   sig[sig_size]  over the file digest itself: PKCS#1 v1.5 with DigestInfo (RSA) or a DER
 *                       ECDSA-Sig-Value (ECDSA), as security/integrity/digsig_asymmetric.c verifies it
 * </pre>
 *
 * @param hashAlgo the file-digest algorithm the signature is over
 * @param keyId the signer's key id
 * @param signature the signature bytes (RSA or DER ECDSA)
 */
public record ImaSignature(ImaHashAlgo hashAlgo, int keyId, byte[] signature) {
    /** EVM_IMA_XATTR_DIGSIG. */
    public static final int TYPE_DIGSIG = 3;
    public static final int VERSION = 2;
    private static final int HEADER = 9;

    public ImaSignature {
        signature = signature.clone();
        if (signature.length == 0 || signature.length > 0xFFFF) {
            throw new IllegalArgumentException("signature of " + signature.length + " bytes");
        }
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** Parses a security.ima value; anything but a well-formed v2 signature is refused, naming the field. */
    public static ImaSignature parse(byte[] xattr) throws FormatException {
        ByteReader r = new ByteReader(xattr).context("security.ima: ");
        int type = r.u8("type");
        if (type != TYPE_DIGSIG) {
            throw new FormatException("security.ima: type " + type + " is not a signature (3)"
                    + (type == 4 ? "; it is an IMA hash (evmctl ima_hash), not a signature" : ""));
        }
        int version = r.u8("version");
        if (version != VERSION) {
            throw new FormatException("security.ima: signature version " + version + " is not supported (2)");
        }
        int algoId = r.u8("hash_algo");
        ImaHashAlgo algo = ImaHashAlgo.fromKernelId(algoId).orElseThrow(() -> new FormatException(
                "security.ima: hash_algo " + algoId + " is not supported (sha1 2, sha256 4, sha384 5, sha512 6)"));
        byte[] keyId = r.bytes(4, "keyid");
        byte[] size = r.bytes(2, "sig_size");
        int sigSize = (size[0] & 0xFF) << 8 | size[1] & 0xFF;
        if (sigSize != r.remaining()) {
            throw new FormatException("security.ima: sig_size " + sigSize + " but " + r.remaining() + " bytes follow the header");
        }
        if (sigSize == 0) {
            throw new FormatException("security.ima: sig_size is 0");
        }
        byte[] sig = r.bytes(sigSize, "sig");
        return new ImaSignature(algo, ByteBuffer.wrap(keyId).getInt(), sig);
    }

    /** The security.ima value. */
    public byte[] encode() {
        return ByteBuffer.allocate(HEADER + signature.length).put((byte) TYPE_DIGSIG).put((byte) VERSION)
                .put((byte) hashAlgo.kernelId()).putInt(keyId).putShort((short) signature.length).put(signature).array();
    }

    public String keyIdHex() {
        return String.format("%08x", keyId);
    }

    /** Signs a file digest (computed with {@code algo}) with {@code key}. ECDSA uses deterministic nonces (RFC 6979). */
    public static ImaSignature sign(ImaSigningKey key, ImaHashAlgo algo, byte[] fileDigest) {
        if (fileDigest.length != algo.size()) {
            throw new IllegalArgumentException(algo.imaName() + " digest needs " + algo.size() + " bytes, got " + fileDigest.length);
        }
        Signer s = signer(key.publicKey().isRsa(), algo);
        CipherParameters p = key.privateParameters();
        s.init(true, key.publicKey().isRsa() ? new ParametersWithRandom(p, new java.security.SecureRandom()) : p);
        s.update(fileDigest, 0, fileDigest.length);
        try {
            return new ImaSignature(algo, key.publicKey().keyId(), s.generateSignature());
        } catch (org.bouncycastle.crypto.CryptoException e) {
            throw new IllegalStateException("signing failed: " + e.getMessage(), e);
        }
    }

    /**
     * Verifies this signature over {@code fileDigest}, computed with {@code digestAlgo}, with the trusted key
     * whose key id it names. Fails if the algorithms differ, no trusted key has the key id, or the signature
     * is wrong.
     */
    public void verify(Collection<ImaKey> trusted, ImaHashAlgo digestAlgo, byte[] fileDigest) throws ImaSignatureException {
        if (digestAlgo != hashAlgo) {
            throw new ImaSignatureException("signature is over a " + hashAlgo.imaName() + " digest but the file digest is "
                    + digestAlgo.imaName());
        }
        boolean known = false;
        for (ImaKey k : trusted) {
            if (k.keyId() != keyId) {
                continue;
            }
            known = true;
            Signer s = signer(k.isRsa(), hashAlgo);
            s.init(false, k.parameters());
            s.update(fileDigest, 0, fileDigest.length);
            if (s.verifySignature(signature)) {
                return;
            }
        }
        throw new ImaSignatureException(known ? "signature by key " + keyIdHex() + " does not verify"
                : "key " + keyIdHex() + " is not a trusted key");
    }

    private static Signer signer(boolean rsa, ImaHashAlgo algo) {
        if (rsa) {
            return new RSADigestSigner(new NullDigest(), digestOid(algo));
        }
        return new DSADigestSigner(new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest())), new NullDigest());
    }

    private static ASN1ObjectIdentifier digestOid(ImaHashAlgo algo) {
        return switch (algo) {
            case SHA1 -> OIWObjectIdentifiers.idSHA1;
            case SHA256 -> NISTObjectIdentifiers.id_sha256;
            case SHA384 -> NISTObjectIdentifiers.id_sha384;
            case SHA512 -> NISTObjectIdentifiers.id_sha512;
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImaSignature s && s.hashAlgo == hashAlgo && s.keyId == keyId
                && java.util.Arrays.equals(s.signature, signature);
    }

    @Override
    public int hashCode() {
        return keyId * 31 + java.util.Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return "IMA signature v2 (" + hashAlgo.imaName() + ", key " + keyIdHex() + ", " + signature.length + " bytes)";
    }
}
