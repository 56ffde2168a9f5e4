package io.trustbit.attest.internal.tss;

/** A TPM command that failed: the TPM's response code, or the transport's error. */
public final class TpmCommandException extends Exception {
    private final int responseCode;

    TpmCommandException(String command, int responseCode, Throwable cause) {
        super(String.format("TPM2_%s failed: response code 0x%03x", command, responseCode), cause);
        this.responseCode = responseCode;
    }

    TpmCommandException(String command, Throwable transportCause) {
        super("TPM2_" + command + " failed: " + transportCause.getMessage(), transportCause);
        this.responseCode = -1;
    }

    TpmCommandException(String command, String problem) {
        this(command, problem, null);
    }

    TpmCommandException(String command, String problem, Throwable cause) {
        super("TPM2_" + command + ": " + problem, cause);
        this.responseCode = -1;
    }

    /** The TPM_RC, or -1 if the command did not reach the TPM. */
    public int responseCode() {
        return responseCode;
    }
}
