package io.trustbit.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * The one place where failures become exit codes and a single line on stderr. A {@link CliException}
 * keeps its code; anything unexpected is an internal error (exit 3, {@link ExitCode#ENVIRONMENT}); usage
 * errors, including an unknown command, are exit 2. Stack traces only with {@code --verbose}.
 *
 * <p>One named class for all three of Picocli's hooks, not method references: a lambda implementing one of
 * Picocli's interfaces (Java 5 class files) makes the build's class-data archive leave out those interfaces and
 * every class implementing them, about 40 classes that each short command then loads from the jar
 * (docs/benchmarks.md, "CLI start-up").
 */
final class ErrorMapper implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler,
        CommandLine.IExecutionStrategy {

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean verbose = isVerbose(parsed);
        ExitCode code = ex instanceof CliException ce ? ce.exitCode() : ExitCode.ENVIRONMENT;
        boolean internal = !(ex instanceof CliException) && !(ex instanceof java.io.IOException);
        err.println("trustbit: " + (internal ? "internal error: " : "") + oneLine(ex));
        if (verbose) {
            ex.printStackTrace(err);
        }
        err.flush();
        return code.code();
    }

    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            return unmatched(cl, u.getUnmatched().get(0));
        }
        return usageError(cl, ex.getMessage());
    }

    private static int usageError(CommandLine cl, String message) {
        PrintWriter err = cl.getErr();
        err.println("trustbit: " + message);
        err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help'.");
        err.flush();
        return ExitCode.BAD_INPUT.code();
    }

    /** An argument nothing takes: a word where a subcommand is expected is an unknown command. */
    private static int unmatched(CommandLine cl, String arg) {
        String kind = arg.startsWith("-") ? "option" : cl.getSubcommands().isEmpty() ? "argument" : "command";
        return usageError(cl, "unknown " + kind + " '" + arg + "'");
    }

    /**
     * Runs the parsed command unless an argument was left unmatched. Picocli ignores unmatched arguments when
     * {@code --help} is among them, so {@code trustbit app --help} would print the top-level help and succeed.
     */
    @Override
    public int execute(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (!p.unmatched().isEmpty()) {
                return unmatched(p.commandSpec().commandLine(), p.unmatched().get(0));
            }
        }
        return new CommandLine.RunLast().execute(parsed);
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
