package io.trustbit.cli;

/** The exit codes of every trustbit command. Scripts and other components rely on these values. */
public enum ExitCode {
    /** The command did what was asked; a verification passed. */
    OK(0),
    /** A verification ran and failed: signature, digest, quote, policy. */
    VERIFICATION_FAILED(1),
    /** Bad usage, or input that is malformed or unreadable. */
    BAD_INPUT(2);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
