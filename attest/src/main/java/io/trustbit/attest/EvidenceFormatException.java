package io.trustbit.attest;

/** Evidence JSON that is malformed or breaks a limit; the message names the JSON field. */
public final class EvidenceFormatException extends Exception {
    public EvidenceFormatException(String message) {
        super(message);
    }

    public EvidenceFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
