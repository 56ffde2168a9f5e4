package io.trustbit.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.io.OutputStreamWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code trustbit} command. Subcommands are one class each, returning an exit code; this class
 * only wires them and maps failures to one line on stderr (stack traces only with {@code --verbose}).
 */
@Command(
        name = "trustbit",
        mixinStandardHelpOptions = true,
        versionProvider = StartupCommandLine.Version.class,
        description = "Measured launch (AMD SKINIT) and remote attestation.",
        subcommands = {
            CommandLine.HelpCommand.class,
            KeyCommand.class, AppCommand.class, ImageCommand.class, EventlogCommand.class, LaunchConfigCommand.class, MeasureCommand.class,
            io.trustbit.cli.attest.TpmCommand.class, io.trustbit.cli.attest.QuoteCommand.class, io.trustbit.cli.attest.AgentCommand.class,
            io.trustbit.cli.verifier.VerifierCommand.class, io.trustbit.cli.verifier.PolicyCommand.class, io.trustbit.cli.verifier.VerdictCommand.class,
        })
public final class Main {

    /** Builds the command line with the given writers, so tests can capture output. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return StartupCommandLine.full(new Main(), out, err);
    }

    /** Sets the writers and the one failure mapper on a command line. */
    static CommandLine configure(CommandLine cl, PrintWriter out, PrintWriter err) {
        return StartupCommandLine.configure(cl, out, err);
    }

    /** Runs one command line and returns its exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return StartupCommandLine.run(Main::new, out, err, args);
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        System.exit(run(out, err, args));
    }
}
