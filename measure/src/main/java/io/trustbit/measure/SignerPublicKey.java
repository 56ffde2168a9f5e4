package io.trustbit.measure;

import io.trustbit.measure.internal.Hex;

/**
 * A public key that signs image manifests: Ed25519 or HSS/LMS. Its key id (SHA-256 of the raw
 * encoding) names the signer in manifests, launch configurations and guest records.
 */
public sealed interface SignerPublicKey permits Ed25519PublicKey, LmsPublicKey {
    /** The manifest algorithm this key verifies. */
    SignatureAlg algorithm();

    /** The raw encoding: 32 bytes for Ed25519 (RFC 8032 §5.1.5), 60 for HSS (RFC 8554 §6.1). */
    byte[] raw();

    /** True only for a valid signature of {@code message} under this key. */
    boolean verify(byte[] message, byte[] signature);

    /** SHA-256 of the raw key. */
    default byte[] keyId() {
        return HashAlg.SHA256.digest(raw());
    }

    default String keyIdHex() {
        return Hex.of(keyId());
    }
}
