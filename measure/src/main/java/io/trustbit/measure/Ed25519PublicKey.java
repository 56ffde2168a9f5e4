package io.trustbit.measure;

import io.trustbit.measure.internal.Ed25519Verify;
import java.security.MessageDigest;

/**
 * An Ed25519 public key as its raw 32-byte encoding (RFC 8032, §5.1.5). The encoding is only checked
 * to be a curve point when a signature is verified, so a damaged key still has a key id to compare.
 */
public final class Ed25519PublicKey implements SignerPublicKey {
    private final byte[] raw;

    private Ed25519PublicKey(byte[] raw) {
        this.raw = raw;
    }

    public static Ed25519PublicKey fromRaw(byte[] raw) {
        if (raw.length != Ed25519Verify.PUBLIC_KEY_SIZE) {
            throw new IllegalArgumentException("an Ed25519 public key has 32 bytes, not " + raw.length);
        }
        return new Ed25519PublicKey(raw.clone());
    }

    @Override
    public SignatureAlg algorithm() {
        return SignatureAlg.ED25519;
    }

    @Override
    public byte[] raw() {
        return raw.clone();
    }

    /** True if the encoding is a valid curve point of the prime-order subgroup (RFC 8032, §5.1.3). */
    public boolean isValidPoint() {
        return Ed25519Verify.isValidPublicKey(raw);
    }

    @Override
    public boolean verify(byte[] message, byte[] signature) {
        return Ed25519Verify.verify(raw, message, signature);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ed25519PublicKey k && MessageDigest.isEqual(raw, k.raw);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(raw);
    }

    @Override
    public String toString() {
        return "Ed25519PublicKey[keyId=" + keyIdHex() + "]";
    }
}
