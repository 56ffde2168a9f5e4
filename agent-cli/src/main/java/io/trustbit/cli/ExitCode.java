package io.trustbit.cli;

/** The exit codes of every trustbit command. Scripts and other components rely on these values. */
public enum ExitCode {
    /** The command did what was asked; a verification passed. */
    OK(0),
    /** A verification ran and failed: signature, digest, quote, policy. */
    VERIFICATION_FAILED(1),
    /** Bad usage (unknown command or option, invalid value), or input that is malformed or unreadable. */
    BAD_INPUT(2),
    /**
     * Not the user's mistake: something the command needs failed (a TPM or verifier that cannot be reached or
     * answers with an error, the network), or an internal error.
     */
    ENVIRONMENT(3);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
