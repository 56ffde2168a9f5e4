package io.trustbit.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command and subcommand answers {@code --help} with its usage and exit 0. */
class HelpTest {
    private static void collect(CommandLine cl, List<List<String>> paths, List<String> prefix) {
        for (var e : cl.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) {
                continue;
            }
            List<String> p = new ArrayList<>(prefix);
            p.add(e.getKey());
            paths.add(p);
            collect(e.getValue(), paths, p);
        }
    }

    @Test
    void everyCommandHasHelp() {
        List<List<String>> paths = new ArrayList<>();
        collect(Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())), paths, List.of());
        assertTrue(paths.size() >= 20, "commands found: " + paths);
        List<String> failures = new ArrayList<>();
        for (List<String> p : paths) {
            List<String> args = new ArrayList<>(p);
            args.add("--help");
            Cli r = Cli.run(args.toArray());
            if (r.code() != 0 || !r.out().contains("Usage: trustbit " + String.join(" ", p))) {
                failures.add(String.join(" ", p) + " -> " + r);
            }
        }
        assertTrue(failures.isEmpty(), "commands without --help:\n" + String.join("\n", failures));
    }
}
