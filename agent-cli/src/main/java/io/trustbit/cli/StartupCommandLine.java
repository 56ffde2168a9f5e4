package io.trustbit.cli;

import io.trustbit.attest.NodeId;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Builds and runs the command line of a root command ({@code trustbit} or {@code trustbit-agent}). For a known
 * subcommand the command line holds only that subcommand: picocli inspects every subcommand class when it builds
 * the full tree, which costs about 200 ms of start-up on this project's 2-core machines, and a short command such
 * as {@code eventlog replay} should not pay for the verifier's model. Anything that is not a known subcommand name
 * (help, version, a typo) gets the full tree, so usage messages stay complete.
 */
public final class StartupCommandLine {
    private StartupCommandLine() {}

    /** Runs one command line of the root command made by {@code root} and returns its exit code. */
    public static int run(Supplier<Object> root, PrintWriter out, PrintWriter err, String... args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            // Answered without building a command model: Picocli's reflection would be most of this command's
            // start-up (docs/benchmarks.md, "CLI start-up"). Same text as Picocli's version help.
            for (String line : new Version().getVersion()) {
                out.println(line);
            }
            out.flush();
            return ExitCode.OK.code();
        }
        int code = forArgs(root, out, err, args).execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** The full command tree of {@code root}, configured with the writers and the failure mapper. */
    public static CommandLine full(Object root, PrintWriter out, PrintWriter err) {
        return configure(new CommandLine(root), out, err);
    }

    /**
     * Sets the writers and the one failure mapper on a command line, and the version on every command of its tree:
     * Picocli gives each subcommand its own version text, empty unless set, so {@code trustbit eventlog --version}
     * would print nothing and succeed.
     */
    public static CommandLine configure(CommandLine cl, PrintWriter out, PrintWriter err) {
        setVersion(cl, new Version());
        cl.setOut(out);
        cl.setErr(err);
        ErrorMapper errors = new ErrorMapper();
        cl.setExecutionExceptionHandler(errors);
        cl.setParameterExceptionHandler(errors);
        cl.setExecutionStrategy(errors);
        cl.registerConverter(NodeId.class, new NodeIdConverter());
        return cl;
    }

    private static void setVersion(CommandLine cl, Version version) {
        cl.getCommandSpec().versionProvider(version);
        for (CommandLine sub : cl.getSubcommands().values()) {
            setVersion(sub, version);
        }
    }

    /** A named class rather than a lambda, for the class-data archive (see {@link ErrorMapper}). */
    private static final class NodeIdConverter implements CommandLine.ITypeConverter<NodeId> {
        @Override
        public NodeId convert(String value) {
            try {
                return NodeId.of(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static CommandLine forArgs(Supplier<Object> rootFactory, PrintWriter out, PrintWriter err, String[] args) {
        Object rootObject = rootFactory.get();
        if (args.length == 0) {
            return full(rootObject, out, err);
        }
        Command root = rootObject.getClass().getAnnotation(Command.class);
        for (Class<?> c : root.subcommands()) {
            Command sub = c.getAnnotation(Command.class);
            if (sub != null && c != CommandLine.HelpCommand.class
                    && (sub.name().equals(args[0]) || Arrays.asList(sub.aliases()).contains(args[0]))) {
                CommandSpec spec = CommandSpec.wrapWithoutInspection(rootObject);
                spec.name(root.name());
                spec.mixinStandardHelpOptions(true);
                spec.usageMessage().description(root.description());
                CommandLine cl = new CommandLine(spec);
                cl.addSubcommand(sub.name(), new CommandLine(c), sub.aliases());
                return configure(cl, out, err);
            }
        }
        return full(rootObject, out, err);
    }

    /** Version from the jar manifest. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = StartupCommandLine.class.getPackage().getImplementationVersion();
            return new String[] {"trustbit " + (v == null ? "development build" : v)};
        }
    }
}
