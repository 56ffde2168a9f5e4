package io.trustbit.measure;

import io.trustbit.measure.internal.Lms;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * An HSS/LMS public key (RFC 8554 §6.1, one level: u32 L = 1, u32 LMS type, u32 LM-OTS type, I[16],
 * T[1][32]; big-endian) of a NIST SP 800-208 SHA-256 parameter set.
 */
public final class LmsPublicKey implements SignerPublicKey {
    private final byte[] raw;

    private LmsPublicKey(byte[] raw) {
        this.raw = raw;
    }

    /** Checks the length, L = 1 and that both types are SHA-256 parameter sets. */
    public static LmsPublicKey fromRaw(byte[] raw) {
        if (raw.length != Lms.HSS_PUBLIC_KEY_SIZE) {
            throw new IllegalArgumentException("an HSS/LMS public key has 60 bytes, not " + raw.length);
        }
        int levels = u32(raw, 0);
        if (levels != 1) {
            throw new IllegalArgumentException("HSS levels " + levels + " is not 1");
        }
        if (Lms.LmsType.fromId(u32(raw, 4)).isEmpty() || Lms.OtsType.fromId(u32(raw, 8)).isEmpty()) {
            throw new IllegalArgumentException("LMS type " + u32(raw, 4) + " / LM-OTS type " + u32(raw, 8)
                    + " is not a SHA-256 parameter set of SP 800-208");
        }
        return new LmsPublicKey(raw.clone());
    }

    private static int u32(byte[] b, int off) {
        return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
    }

    @Override
    public SignatureAlg algorithm() {
        return SignatureAlg.LMS;
    }

    @Override
    public byte[] raw() {
        return raw.clone();
    }

    @Override
    public boolean verify(byte[] message, byte[] signature) {
        return Lms.hssVerify(raw, message, signature);
    }

    /** The parameter set, e.g. {@code LMS_SHA256_M32_H10/LMOTS_SHA256_N32_W4}. */
    public String parameterSet() {
        return "LMS_SHA256_M32_" + Lms.LmsType.fromId(u32(raw, 4)).orElseThrow() + "/LMOTS_SHA256_N32_"
                + Lms.OtsType.fromId(u32(raw, 8)).orElseThrow();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LmsPublicKey k && MessageDigest.isEqual(raw, k.raw);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(raw);
    }

    @Override
    public String toString() {
        return "LmsPublicKey[" + parameterSet() + ", keyId=" + keyIdHex() + "]";
    }
}
