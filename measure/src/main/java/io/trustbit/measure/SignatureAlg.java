package io.trustbit.measure;

import java.util.Optional;

/** The signature algorithm field of a manifest, with the signature size each allows. */
public enum SignatureAlg {
    /** RFC 8032 Ed25519, 64-byte signatures. */
    ED25519(1, 64, 64),
    /** HSS/LMS (RFC 8554, NIST SP 800-208 SHA-256 sets); the length follows the parameter set. */
    LMS(2, 1, 8192);

    private final int id;
    private final int minSize;
    private final int maxSize;

    SignatureAlg(int id, int minSize, int maxSize) {
        this.id = id;
        this.minSize = minSize;
        this.maxSize = maxSize;
    }

    public int id() {
        return id;
    }

    public boolean allowsSignatureLength(int length) {
        return length >= minSize && length <= maxSize;
    }

    public static Optional<SignatureAlg> fromId(int id) {
        for (SignatureAlg a : values()) {
            if (a.id == id) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
