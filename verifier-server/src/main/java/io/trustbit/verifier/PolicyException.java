package io.trustbit.verifier;

/** A policy file that does not follow the schema (docs/formats.md "Policy"); the message names the field. */
public final class PolicyException extends Exception {
    public PolicyException(String message) {
        super(message);
    }

    public PolicyException(String message, Throwable cause) {
        super(message, cause);
    }
}
