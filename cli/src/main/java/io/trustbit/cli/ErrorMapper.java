package io.trustbit.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * The one place where failures become exit codes and a single line on stderr. A {@link CliException}
 * keeps its code; anything unexpected is reported as bad input (exit 2) without a stack trace unless
 * {@code --verbose} was given.
 */
final class ErrorMapper implements CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean verbose = isVerbose(parsed);
        ExitCode code = ex instanceof CliException ce ? ce.exitCode() : ExitCode.BAD_INPUT;
        err.println("trustbit: " + oneLine(ex));
        if (verbose) {
            ex.printStackTrace(err);
        }
        err.flush();
        return code.code();
    }

    static int usageError(CommandLine.ParameterException ex, String[] args) {
        PrintWriter err = ex.getCommandLine().getErr();
        err.println("trustbit: " + ex.getMessage());
        err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
        err.flush();
        return ExitCode.BAD_INPUT.code();
    }

    private static boolean isVerbose(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    private static String oneLine(Throwable ex) {
        String msg = ex.getMessage();
        if (msg == null || msg.isBlank()) {
            msg = ex.getClass().getSimpleName();
        }
        return msg.replace('\n', ' ').strip();
    }
}
