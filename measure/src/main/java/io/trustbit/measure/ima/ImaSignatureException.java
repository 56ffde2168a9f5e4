package io.trustbit.measure.ima;

/** An IMA signature does not verify, names no trusted key, or is malformed; the message says which. */
public final class ImaSignatureException extends Exception {
    public ImaSignatureException(String message) {
        super(message);
    }

    public ImaSignatureException(String message, Throwable cause) {
        super(message, cause);
    }
}
