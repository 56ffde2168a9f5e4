package io.trustbit.measure;

/** An image, its manifest and a key do not belong together; {@link #reason} says which check failed. */
public final class ManifestVerificationException extends Exception {

    /** Which check failed. */
    public enum Reason {
        /** The image's length differs from the manifest's. */
        IMAGE_LENGTH,
        /** The image's SHA-256 differs from the manifest's. */
        IMAGE_DIGEST,
        /** The signature does not verify, or its algorithm is not supported. */
        SIGNATURE,
        /** The manifest names another signer key than the one given. */
        SIGNER_KEY,
        /** The manifest is for another kind of image than required. */
        KIND,
        /** The security version is below the required minimum. */
        SECURITY_VERSION,
        /** The manifest is malformed. */
        FORMAT
    }

    private final Reason reason;

    public ManifestVerificationException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public ManifestVerificationException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
