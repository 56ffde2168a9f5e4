package io.trustbit.measure.internal;

import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Ed25519 (RFC 8032, §5.1.7) verification through Bouncy Castle's lightweight implementation, which
 * rejects non-canonical scalars (S ≥ L) and point encodings that do not decode.
 */
public final class Ed25519Verify {
    public static final int PUBLIC_KEY_SIZE = 32;
    public static final int SIGNATURE_SIZE = 64;

    private Ed25519Verify() {}

    /** True if {@code publicKey} encodes a point of the prime-order subgroup, not of small order. */
    public static boolean isValidPublicKey(byte[] publicKey) {
        return publicKey.length == PUBLIC_KEY_SIZE && Ed25519.validatePublicKeyFull(publicKey, 0);
    }

    /** True only for a well-formed key and a valid signature of {@code message} under it. */
    public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (publicKey.length != PUBLIC_KEY_SIZE || signature.length != SIGNATURE_SIZE) {
            return false;
        }
        return Ed25519.verify(signature, 0, publicKey, 0, message, 0, message.length);
    }
}
