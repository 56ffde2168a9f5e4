package io.trustbit.measure;

/** A private key that signs image manifests: {@link SigningKey} (Ed25519) or {@link LmsSigningKey}. */
public interface ManifestSigner {
    SignerPublicKey publicKey();

    /** The exact length of every signature this key makes; part of the signed manifest bytes. */
    int signatureLength();

    /**
     * Signs {@code message}. A stateful key has its advanced state on disk before this returns, and
     * throws {@link java.io.UncheckedIOException} (no signature) when it cannot record it.
     */
    byte[] sign(byte[] message);
}
