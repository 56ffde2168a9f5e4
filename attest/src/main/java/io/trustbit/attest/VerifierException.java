package io.trustbit.attest;

/**
 * A verifier request that failed: an HTTP error with the verifier's stable error code, or no usable
 * answer at all ({@code status} 0).
 */
public final class VerifierException extends Exception {
    private final int status;
    private final String code;

    public VerifierException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public VerifierException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
        this.code = "UNREACHABLE";
    }

    /** HTTP status, or 0 if the verifier could not be reached or answered nonsense. */
    public int status() {
        return status;
    }

    /** The verifier's error code, e.g. {@code NODE_NOT_ENROLLED}. */
    public String code() {
        return code;
    }

    /** True for failures that may pass by themselves: unreachable, 5xx, 408, 429. */
    public boolean isTransient() {
        return status == 0 || status >= 500 || status == 408 || status == 429;
    }
}
