package io.trustbit.measure;

import io.trustbit.measure.internal.ByteReader;
import io.trustbit.measure.internal.LeWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A detached image manifest (docs/launch-protocol.md, "Image manifest"; docs/formats.md). Layout,
 * little-endian: magic "TBMF", u16 version 1, u16 kind, u64 image length, 32-byte SHA-256 of the
 * image, u32 security version, u16 algorithm, u16 signature length S, 32-byte signer key id; for kind
 * linux then u64 initrd length, 32-byte SHA-256 of the initrd, u16 command-line length L (≤ 1024) and
 * L bytes of printable ASCII; then S bytes of signature over everything before it. Nothing may follow.
 */
public final class ImageManifest {
    public static final int SIGNED_LENGTH = 88;
    public static final int LINUX_FIXED_LENGTH = 130;
    public static final int MAX_CMDLINE = 1024;
    public static final int MAX_SIGNATURE_LENGTH = 8192;
    public static final int MAX_LENGTH = LINUX_FIXED_LENGTH + MAX_CMDLINE + MAX_SIGNATURE_LENGTH;
    private static final byte[] MAGIC = "TBMF".getBytes(StandardCharsets.US_ASCII);

    /** What a Linux manifest binds besides the kernel: the initrd and the kernel command line. */
    public record LinuxPart(long initrdLength, byte[] initrdSha256, String cmdline) {
        public LinuxPart {
            if (initrdLength < 0) {
                throw new IllegalArgumentException("initrd length must not be negative");
            }
            if (initrdSha256.length != 32) {
                throw new IllegalArgumentException("initrd SHA-256 must have 32 bytes");
            }
            if (cmdline.length() > MAX_CMDLINE || !cmdline.chars().allMatch(c -> c >= 0x20 && c <= 0x7E)) {
                throw new IllegalArgumentException("the command line must be at most " + MAX_CMDLINE
                        + " characters of printable ASCII");
            }
            initrdSha256 = initrdSha256.clone();
        }

        @Override
        public byte[] initrdSha256() {
            return initrdSha256.clone();
        }
    }

    private final ImageKind kind;
    private final long imageLength;
    private final byte[] imageSha256;
    private final long securityVersion;
    private final SignatureAlg algorithm;
    private final byte[] signerKeyId;
    private final byte[] signature;
    private final LinuxPart linux;

    private ImageManifest(ImageKind kind, long imageLength, byte[] imageSha256, long securityVersion,
            SignatureAlg algorithm, byte[] signerKeyId, byte[] signature, LinuxPart linux) {
        this.kind = kind;
        this.imageLength = imageLength;
        this.imageSha256 = imageSha256.clone();
        this.securityVersion = securityVersion;
        this.algorithm = algorithm;
        this.signerKeyId = signerKeyId.clone();
        this.signature = signature.clone();
        this.linux = linux;
    }

    /** Signs a manifest for an image (vmm or guest) of the given length and digest. */
    public static ImageManifest sign(ImageKind kind, long imageLength, byte[] imageSha256, long securityVersion,
            ManifestSigner key) {
        if (kind == ImageKind.LINUX) {
            throw new IllegalArgumentException("a Linux manifest needs its initrd and command line (signLinux)");
        }
        return sign(kind, imageLength, imageSha256, securityVersion, key, null);
    }

    /** Signs a Linux manifest: the kernel's length and digest, and the initrd and command line. */
    public static ImageManifest signLinux(long kernelLength, byte[] kernelSha256, LinuxPart linux,
            long securityVersion, ManifestSigner key) {
        return sign(ImageKind.LINUX, kernelLength, kernelSha256, securityVersion, key, linux);
    }

    private static ImageManifest sign(ImageKind kind, long imageLength, byte[] imageSha256, long securityVersion,
            ManifestSigner key, LinuxPart linux) {
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
        byte[] signed = signedPart(kind, imageLength, imageSha256, securityVersion, alg, key.signatureLength(), keyId,
                linux);
        byte[] sig = key.sign(signed);
        if (sig.length != key.signatureLength() || !alg.allowsSignatureLength(sig.length)) {
            throw new IllegalStateException(alg + " signature of " + sig.length + " bytes, expected "
                    + key.signatureLength());
        }
        return new ImageManifest(kind, imageLength, imageSha256, securityVersion, alg, keyId, sig, linux);
    }

    private static byte[] signedPart(ImageKind kind, long length, byte[] sha256, long sv, SignatureAlg alg,
            int sigLength, byte[] keyId, LinuxPart linux) {
        LeWriter w = new LeWriter(SIGNED_LENGTH).bytes(MAGIC).u16(1).u16(kind.id()).u64(length).bytes(sha256).u32(sv)
                .u16(alg.id()).u16(sigLength).bytes(keyId);
        if (linux != null) {
            byte[] line = linux.cmdline().getBytes(StandardCharsets.US_ASCII);
            w.u64(linux.initrdLength()).bytes(linux.initrdSha256()).u16(line.length).bytes(line);
        }
        return w.toByteArray();
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
                .orElseThrow(() -> r.fieldError("kind", kindId + " is not 1 (vmm), 2 (guest) or 3 (linux) (offset 0x6)"));
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
        LinuxPart linux = null;
        if (kind == ImageKind.LINUX) {
            long initrdLength = r.u64("initrd length");
            byte[] initrdSha = r.bytes(32, "initrd SHA-256");
            int l = r.u16("command-line length");
            if (l > MAX_CMDLINE) {
                throw r.fieldError("command-line length", l + " exceeds " + MAX_CMDLINE + " (offset 0x80)");
            }
            byte[] line = r.bytes(l, "command line");
            for (byte c : line) {
                if (c < 0x20 || c > 0x7E) {
                    throw r.fieldError("command line", "is not printable ASCII (offset 0x82)");
                }
            }
            if (initrdLength < 0) {
                throw r.fieldError("initrd length", "exceeds 2^63 - 1 (offset 0x58)");
            }
            linux = new LinuxPart(initrdLength, initrdSha, new String(line, StandardCharsets.US_ASCII));
        }
        byte[] sig = r.bytes(sigLength, "signature");
        r.requireEnd("manifest");
        return new ImageManifest(kind, length, sha, sv, alg, keyId, sig, linux);
    }

    public byte[] encode() {
        return new LeWriter(SIGNED_LENGTH + signature.length).bytes(signedBytes()).bytes(signature).toByteArray();
    }

    /** Everything before the signature ([0, 88), or [0, 130 + L) for Linux): what the signature covers. */
    public byte[] signedBytes() {
        return signedPart(kind, imageLength, imageSha256, securityVersion, algorithm, signature.length, signerKeyId,
                linux);
    }

    /** The initrd and command line of a Linux manifest; null for other kinds. */
    public LinuxPart linux() {
        return linux;
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
