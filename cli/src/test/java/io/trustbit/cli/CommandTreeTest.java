package io.trustbit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Walks the whole command tree of {@code trustbit} and {@code trustbit-agent}, so that a new command cannot regress:
 * every command answers {@code --help} with its usage and {@code --version} with the version (exit 0), and every
 * command group run without a subcommand fails as a usage error (exit 2) with its usage or one line saying so.
 */
class CommandTreeTest {
    /** One root command: how to build its full tree and how to run a command line of it. */
    private record Root(String name, CommandLine tree, Runner runner) {}

    private interface Runner {
        int run(PrintWriter out, PrintWriter err, String... args);
    }

    private static List<Root> roots() {
        PrintWriter sink = new PrintWriter(new StringWriter());
        return List.of(new Root("trustbit", Main.commandLine(sink, sink), Main::run),
                new Root("trustbit-agent", AgentMain.commandLine(sink, sink), AgentMain::run));
    }

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

    private static List<List<String>> paths(Root root) {
        List<List<String>> paths = new ArrayList<>();
        collect(root.tree(), paths, List.of());
        return paths;
    }

    private static Cli run(Root root, List<String> path, String... more) {
        List<String> args = new ArrayList<>(path);
        args.addAll(List.of(more));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = root.runner().run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
        return new Cli(code, out.toString(), err.toString());
    }

    @Test
    void treesAreWalked() {
        List<Root> roots = roots();
        assertTrue(paths(roots.get(0)).size() >= 20, "commands found: " + paths(roots.get(0)));
        assertTrue(paths(roots.get(1)).size() >= 8, "commands found: " + paths(roots.get(1)));
    }

    @Test
    void everyCommandHasHelp() {
        List<String> failures = new ArrayList<>();
        for (Root root : roots()) {
            for (List<String> p : paths(root)) {
                Cli r = run(root, p, "--help");
                if (r.code() != 0 || !r.out().contains("Usage: " + root.name() + " " + String.join(" ", p))) {
                    failures.add(root.name() + " " + String.join(" ", p) + " -> " + r);
                }
            }
        }
        assertTrue(failures.isEmpty(), "commands without --help:\n" + String.join("\n", failures));
    }

    @Test
    void everyCommandHasTheVersion() {
        String version = new StartupCommandLine.Version().getVersion()[0] + System.lineSeparator();
        List<String> failures = new ArrayList<>();
        for (Root root : roots()) {
            for (List<String> p : paths(root)) {
                for (String flag : List.of("--version", "-V")) {
                    Cli r = run(root, p, flag);
                    if (r.code() != 0 || !r.out().equals(version) || !r.err().isEmpty()) {
                        failures.add(root.name() + " " + String.join(" ", p) + " " + flag + " -> " + r);
                    }
                }
            }
        }
        assertTrue(failures.isEmpty(), "commands without the version:\n" + String.join("\n", failures));
    }

    @Test
    void everyGroupWithoutASubcommandIsAUsageError() {
        List<String> failures = new ArrayList<>();
        int groups = 0;
        for (Root root : roots()) {
            for (List<String> p : paths(root)) {
                CommandLine cl = root.tree();
                for (String name : p) {
                    cl = cl.getSubcommands().get(name);
                }
                if (cl.getSubcommands().isEmpty()) {
                    continue;
                }
                groups++;
                Cli r = run(root, p);
                boolean usage = (r.out() + r.err()).contains("Usage: " + root.name() + " " + String.join(" ", p));
                boolean oneLine = r.err().lines().findFirst().orElse("").startsWith("trustbit: ")
                        && !r.err().contains("internal error");
                if (r.code() != 2 || !(usage || oneLine)) {
                    failures.add(root.name() + " " + String.join(" ", p) + " -> " + r);
                }
            }
        }
        assertTrue(groups >= 8, "command groups found: " + groups);
        assertTrue(failures.isEmpty(), "groups that do not say a subcommand is missing:\n" + String.join("\n", failures));
    }

    /**
     * Every command that needs arguments, run without any, is a usage error of one line (exit 2). The two that run
     * with their defaults alone are left out: {@code verifier serve} starts the service and {@code verifier webhooks}
     * asks the local one.
     */
    @Test
    void everyCommandWithoutItsArgumentsIsAUsageError() {
        List<String> runWithDefaults = List.of("verifier serve", "verifier webhooks");
        List<String> failures = new ArrayList<>();
        for (Root root : roots()) {
            for (List<String> p : paths(root)) {
                CommandLine cl = root.tree();
                for (String name : p) {
                    cl = cl.getSubcommands().get(name);
                }
                if (!cl.getSubcommands().isEmpty() || runWithDefaults.contains(String.join(" ", p))) {
                    continue;
                }
                Cli r = run(root, p);
                if (r.code() != 2 || !r.err().startsWith("trustbit: ") || r.err().contains("internal error")) {
                    failures.add(root.name() + " " + String.join(" ", p) + " -> " + r);
                }
            }
        }
        assertTrue(failures.isEmpty(), "commands that do not say what is missing:\n" + String.join("\n", failures));
    }

    @Test
    void theRootWithoutArgumentsIsAUsageError() {
        for (Root root : roots()) {
            Cli r = run(root, List.of());
            assertEquals(2, r.code(), root.name() + ": " + r);
        }
    }
}
