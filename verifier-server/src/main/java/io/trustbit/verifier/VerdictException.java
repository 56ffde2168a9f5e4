package io.trustbit.verifier;

/** A verdict token that is malformed, unsigned by a known key, or outside its validity period. */
public final class VerdictException extends Exception {
    public VerdictException(String message) {
        super(message);
    }

    public VerdictException(String message, Throwable cause) {
        super(message, cause);
    }
}
