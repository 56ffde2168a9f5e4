package io.trustbit.cli;

/**
 * A failure that ends a command with a given exit code and one line for the user. Commands throw it;
 * {@link Main} maps it (and every other exception) to a single line on stderr.
 */
public final class CliException extends RuntimeException {
    private final ExitCode exitCode;

    public CliException(ExitCode exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public CliException(ExitCode exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public ExitCode exitCode() {
        return exitCode;
    }

    /** Bad usage or malformed/unreadable input (exit 2). */
    public static CliException badInput(String message, Throwable cause) {
        return new CliException(ExitCode.BAD_INPUT, message, cause);
    }

    /** A TPM, verifier or network failure, or an internal error (exit 3). */
    public static CliException environment(String message, Throwable cause) {
        return new CliException(ExitCode.ENVIRONMENT, message, cause);
    }

    /** A verification that failed (exit 1). */
    public static CliException failed(String message) {
        return new CliException(ExitCode.VERIFICATION_FAILED, message);
    }
}
