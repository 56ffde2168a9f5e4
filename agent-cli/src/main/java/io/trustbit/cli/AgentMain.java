package io.trustbit.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code trustbit-agent} command: the commands a fleet node needs (the agent, the TPM, quotes, event logs,
 * measurement), without the verifier and its server, database and migration libraries.
 */
@Command(
        name = "trustbit-agent",
        mixinStandardHelpOptions = true,
        versionProvider = StartupCommandLine.Version.class,
        description = "Remote attestation agent (the node side of trustbit).",
        subcommands = {
            CommandLine.HelpCommand.class,
            io.trustbit.cli.attest.AgentCommand.class, io.trustbit.cli.attest.TpmCommand.class,
            io.trustbit.cli.attest.QuoteCommand.class, EventlogCommand.class, MeasureCommand.class,
        })
public final class AgentMain {

    /** Builds the full command line with the given writers, so tests can capture output. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return StartupCommandLine.full(new AgentMain(), out, err);
    }

    /** Runs one command line and returns its exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return StartupCommandLine.run(AgentMain::new, out, err, args);
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        System.exit(run(out, err, args));
    }
}
