package io.trustbit.attest;

/** A TPM operation of the agent that failed; the message says which and why. */
public final class AttestException extends Exception {
    public AttestException(String message) {
        super(message);
    }

    public AttestException(String message, Throwable cause) {
        super(message, cause);
    }
}
