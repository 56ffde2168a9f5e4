package io.trustbit.measure;

import io.trustbit.measure.ManifestVerificationException.Reason;
import io.trustbit.measure.internal.Hex;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Checks that an image, its manifest and a signer key belong together. {@link #verify} returns
 * nothing and throws on the first failed check, in this order: signer key, signature, kind, security
 * version, image length, image digest; for a Linux manifest then initrd length and digest.
 */
public final class ImageVerifier {
    private ImageVerifier() {}

    /** What the caller requires beyond a valid signature. */
    public record Requirements(Optional<ImageKind> kind, long minSecurityVersion) {
        public static Requirements none() {
            return new Requirements(Optional.empty(), 0);
        }
    }

    /** Parses then verifies; a malformed manifest fails with {@link Reason#FORMAT}. */
    public static ImageManifest verify(byte[] manifestBytes, ImageDigest image, SignerPublicKey key,
            Requirements req) throws ManifestVerificationException {
        return verify(manifestBytes, image, null, key, req);
    }

    /** As above; {@code initrd} is the initrd of a Linux manifest (null for other kinds). */
    public static ImageManifest verify(byte[] manifestBytes, ImageDigest image, ImageDigest initrd,
            SignerPublicKey key, Requirements req) throws ManifestVerificationException {
        ImageManifest m;
        try {
            m = ImageManifest.parse(manifestBytes);
        } catch (FormatException e) {
            throw new ManifestVerificationException(Reason.FORMAT, e.getMessage(), e);
        }
        verify(m, image, initrd, key, req);
        return m;
    }

    public static void verify(ImageManifest m, ImageDigest image, SignerPublicKey key, Requirements req)
            throws ManifestVerificationException {
        verify(m, image, null, key, req);
    }

    public static void verify(ImageManifest m, ImageDigest image, ImageDigest initrd, SignerPublicKey key,
            Requirements req) throws ManifestVerificationException {
        if (!MessageDigest.isEqual(m.signerKeyId(), key.keyId())) {
            throw new ManifestVerificationException(Reason.SIGNER_KEY, "manifest is signed by key "
                    + Hex.of(m.signerKeyId()) + ", not by the given key " + key.keyIdHex());
        }
        if (m.algorithm() != key.algorithm()) {
            throw new ManifestVerificationException(Reason.SIGNATURE, "manifest algorithm " + m.algorithm()
                    + " differs from the key's " + key.algorithm());
        }
        if (!key.verify(m.signedBytes(), m.signature())) {
            throw new ManifestVerificationException(Reason.SIGNATURE, "manifest signature does not verify");
        }
        if (req.kind().isPresent() && req.kind().get() != m.kind()) {
            throw new ManifestVerificationException(Reason.KIND, "manifest is for a " + m.kind().cliName()
                    + " image, not a " + req.kind().get().cliName() + " image");
        }
        if (m.securityVersion() < req.minSecurityVersion()) {
            throw new ManifestVerificationException(Reason.SECURITY_VERSION, "security version "
                    + m.securityVersion() + " is below the required " + req.minSecurityVersion());
        }
        if (m.imageLength() != image.length()) {
            throw new ManifestVerificationException(Reason.IMAGE_LENGTH, "image has " + image.length()
                    + " bytes, the manifest says " + m.imageLength());
        }
        if (!MessageDigest.isEqual(m.imageSha256(), image.sha256())) {
            throw new ManifestVerificationException(Reason.IMAGE_DIGEST, "image SHA-256 "
                    + Hex.of(image.sha256()) + " differs from the manifest's " + Hex.of(m.imageSha256()));
        }
        ImageManifest.LinuxPart lx = m.linux();
        if (lx == null && initrd != null) {
            throw new ManifestVerificationException(Reason.KIND, "an initrd was given, but the manifest is for a "
                    + m.kind().cliName() + " image");
        }
        if (lx == null) {
            return;
        }
        if (initrd == null) {
            throw new ManifestVerificationException(Reason.IMAGE_LENGTH, "a Linux manifest binds an initrd of "
                    + lx.initrdLength() + " bytes; none was given");
        }
        if (lx.initrdLength() != initrd.length()) {
            throw new ManifestVerificationException(Reason.IMAGE_LENGTH, "initrd has " + initrd.length()
                    + " bytes, the manifest says " + lx.initrdLength());
        }
        if (!MessageDigest.isEqual(lx.initrdSha256(), initrd.sha256())) {
            throw new ManifestVerificationException(Reason.IMAGE_DIGEST, "initrd SHA-256 "
                    + Hex.of(initrd.sha256()) + " differs from the manifest's " + Hex.of(lx.initrdSha256()));
        }
    }
}
