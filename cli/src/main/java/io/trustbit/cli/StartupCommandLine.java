package io.trustbit.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Builds a command line that holds only the subcommand being run. Picocli inspects every subcommand
 * class when it builds the full tree, which costs about 200 ms of start-up on this project's 2-core
 * machines; a short command such as {@code eventlog replay} should not pay for the verifier's model.
 * Anything that is not a known subcommand name (help, version, a typo) gets the full tree, so usage
 * messages stay complete.
 */
final class StartupCommandLine {
    private StartupCommandLine() {}

    static CommandLine forArgs(PrintWriter out, PrintWriter err, String[] args) {
        if (args.length == 0) {
            return Main.commandLine(out, err);
        }
        Command root = Main.class.getAnnotation(Command.class);
        for (Class<?> c : root.subcommands()) {
            Command sub = c.getAnnotation(Command.class);
            if (sub != null && c != CommandLine.HelpCommand.class
                    && (sub.name().equals(args[0]) || Arrays.asList(sub.aliases()).contains(args[0]))) {
                CommandSpec spec = CommandSpec.wrapWithoutInspection(new Main());
                spec.name(root.name());
                spec.mixinStandardHelpOptions(true);
                spec.versionProvider(new Main.Version());
                spec.usageMessage().description(root.description());
                CommandLine cl = new CommandLine(spec);
                cl.addSubcommand(sub.name(), new CommandLine(c), sub.aliases());
                return Main.configure(cl, out, err);
            }
        }
        return Main.commandLine(out, err);
    }
}
