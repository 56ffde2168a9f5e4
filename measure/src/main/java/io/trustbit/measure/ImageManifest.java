package io.trustbit.measure;

import io.trustbit.measure.internal.ByteReader;
import io.trustbit.measure.internal.LeWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A detached image manifest (docs/launch-protocol.md, "Image manifest"; docs/formats.md). Layout,
 * little-endian: magic "TBMF", u16 version 1, u16 kind, u64 image length, 32-byte SHA-256 of the
 * image, u32 security version, u16 algorithm, u16 signature length S, 32-byte signer key id, then S
 * bytes of signature over bytes [0, 88). Nothing may follow.
 */
public final class ImageManifest {
    public static final int SIGNED_LENGTH = 88;
    public static final int MAX_SIGNATURE_LENGTH = 8192;
    public static final int MAX_LENGTH = SIGNED_LENGTH + MAX_SIGNATURE_LENGTH;
    private static final byte[] MAGIC = "TBMF".getBytes(StandardCharsets.US_ASCII);

    private final ImageKind kind;
    private final long imageLength;
    private final byte[] imageSha256;
    private final long securityVersion;
    private final SignatureAlg algorithm;
    private final byte[] signerKeyId;
    private final byte[] signature;

    private ImageManifest(ImageKind kind, long imageLength, byte[] imageSha256, long securityVersion,
            SignatureAlg algorithm, byte[] signerKeyId, byte[] signature) {
        this.kind = kind;
        this.imageLength = imageLength;
        this.imageSha256 = imageSha256.clone();
        this.securityVersion = securityVersion;
        this.algorithm = algorithm;
        this.signerKeyId = signerKeyId.clone();
        this.signature = signature.clone();
    }

    /** Signs a manifest for an image of the given length and digest. */
    public static ImageManifest sign(ImageKind kind, long imageLength, byte[] imageSha256, long securityVersion,
            ManifestSigner key) {
        if (imageLength < 0) {
            throw new IllegalArgumentException("image length must not be negative");
        }
        if (imageSha256.length != 32) {
            throw new IllegalArgumentException("image SHA-256 must have 32 bytes");
        }
        if (securityVersion < 0 || securityVersion > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("security version must be 0..4294967295");
        }
        SignerPublicKey pub = key.publicKey();
        byte[] keyId = pub.keyId();
        SignatureAlg alg = pub.algorithm();
        byte[] signed = signedPart(kind, imageLength, imageSha256, securityVersion, alg, key.signatureLength(), keyId);
        byte[] sig = key.sign(signed);
        if (sig.length != key.signatureLength() || !alg.allowsSignatureLength(sig.length)) {
            throw new IllegalStateException(alg + " signature of " + sig.length + " bytes, expected "
                    + key.signatureLength());
        }
        return new ImageManifest(kind, imageLength, imageSha256, securityVersion, alg, keyId, sig);
    }

    private static byte[] signedPart(ImageKind kind, long length, byte[] sha256, long sv, SignatureAlg alg,
            int sigLength, byte[] keyId) {
        return new LeWriter(SIGNED_LENGTH).bytes(MAGIC).u16(1).u16(kind.id()).u64(length).bytes(sha256).u32(sv)
                .u16(alg.id()).u16(sigLength).bytes(keyId).toByteArray();
    }

    /** Parses a manifest strictly: every field checked, nothing may follow the signature. */
    public static ImageManifest parse(byte[] bytes) throws FormatException {
        ByteReader r = new ByteReader(bytes).context("manifest: ");
        if (bytes.length > MAX_LENGTH) {
            throw r.fieldError("length", bytes.length + " exceeds " + MAX_LENGTH + " bytes");
        }
        r.expect(MAGIC, "magic");
        int version = r.u16("version");
        if (version != 1) {
            throw r.fieldError("version", version + " is not supported (offset 0x4)");
        }
        int kindId = r.u16("kind");
        ImageKind kind = ImageKind.fromId(kindId)
                .orElseThrow(() -> r.fieldError("kind", kindId + " is neither 1 (vmm) nor 2 (guest) (offset 0x6)"));
        long length = r.u64("image length");
        byte[] sha = r.bytes(32, "image SHA-256");
        long sv = r.u32("security version");
        int algId = r.u16("algorithm");
        SignatureAlg alg = SignatureAlg.fromId(algId)
                .orElseThrow(() -> r.fieldError("algorithm", algId + " is unknown (offset 0x34)"));
        int sigLength = r.u16("signature length");
        if (!alg.allowsSignatureLength(sigLength)) {
            throw r.fieldError("signature length", sigLength + " is not valid for " + alg + " (offset 0x36)");
        }
        byte[] keyId = r.bytes(32, "signer key id");
        byte[] sig = r.bytes(sigLength, "signature");
        r.requireEnd("manifest");
        return new ImageManifest(kind, length, sha, sv, alg, keyId, sig);
    }

    public byte[] encode() {
        return new LeWriter(SIGNED_LENGTH + signature.length).bytes(signedBytes()).bytes(signature).toByteArray();
    }

    /** Bytes [0, 88): what the signature covers. */
    public byte[] signedBytes() {
        return signedPart(kind, imageLength, imageSha256, securityVersion, algorithm, signature.length, signerKeyId);
    }

    public ImageKind kind() {
        return kind;
    }

    public long imageLength() {
        return imageLength;
    }

    public byte[] imageSha256() {
        return imageSha256.clone();
    }

    public long securityVersion() {
        return securityVersion;
    }

    public SignatureAlg algorithm() {
        return algorithm;
    }

    public byte[] signerKeyId() {
        return signerKeyId.clone();
    }

    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageManifest m && Arrays.equals(encode(), m.encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }
}
