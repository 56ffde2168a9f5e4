package io.trustbit.cli;

import io.trustbit.attest.NodeId;
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
        versionProvider = Main.Version.class,
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
        return configure(new CommandLine(new Main()), out, err);
    }

    /** Sets the writers and the one failure mapper on a command line. */
    static CommandLine configure(CommandLine cl, PrintWriter out, PrintWriter err) {
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler(new ErrorMapper());
        cl.setParameterExceptionHandler(ErrorMapper::usageError);
        cl.setExecutionStrategy(ErrorMapper::refuseUnmatchedThenRun);
        cl.registerConverter(NodeId.class, s -> {
            try {
                return NodeId.of(s);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        });
        return cl;
    }

    /** Runs one command line and returns its exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        int code = StartupCommandLine.forArgs(out, err, args).execute(args);
        out.flush();
        err.flush();
        return code;
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        System.exit(run(out, err, args));
    }

    /** Version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"trustbit " + (v == null ? "development build" : v)};
        }
    }
}
