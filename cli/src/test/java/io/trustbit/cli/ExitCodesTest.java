package io.trustbit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The exit codes of docs (README "The CLI at a glance"): 2 for the user's mistakes, 3 when something the command
 * needs fails or on an internal error; every network failure names the host and the cause.
 */
public class ExitCodesTest {
    /** A loopback port nothing listens on. */
    public static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void anUnknownCommandIsAUsageErrorEvenWithHelp() {
        for (String[] args : new String[][] {{"apps", "--help"}, {"apps"}, {"--help", "apps"}}) {
            Cli r = Cli.run((Object[]) args);
            assertEquals(2, r.code(), r.toString());
            assertEquals("", r.out(), "no help text: " + r);
            assertTrue(r.err().startsWith("trustbit: unknown command 'apps'\nTry 'trustbit --help'."), r.err());
        }
        Cli sub = Cli.run("verdict", "chek", "--help");
        assertEquals(2, sub.code(), sub.toString());
        assertTrue(sub.err().startsWith("trustbit: unknown command 'chek'\nTry 'trustbit verdict --help'."), sub.err());
        Cli arg = Cli.run("eventlog", "dump", "a", "b");
        assertEquals(2, arg.code(), arg.toString());
        assertTrue(arg.err().startsWith("trustbit: unknown argument 'b'\nTry 'trustbit eventlog dump --help'."), arg.err());
        Cli option = Cli.run("eventlog", "dump", "--bogus", "--help");
        assertEquals(2, option.code(), option.toString());
        assertTrue(option.err().startsWith("trustbit: unknown option '--bogus'\n"), option.err());
        Cli help = Cli.run("--help");
        assertEquals(0, help.code(), help.toString());
        assertTrue(help.out().startsWith("Usage: trustbit"), help.out());
    }

    @Test
    void anUnreachableTpmExits3NamingIt() throws Exception {
        int port = closedPort();
        Cli r = Cli.run("tpm", "info", "--tpm", "swtpm:127.0.0.1:" + port);
        assertEquals(3, r.code(), r.toString());
        assertTrue(r.err().startsWith("trustbit: TPM swtpm:127.0.0.1:" + port + ": ") && r.err().endsWith(": connection refused\n"),
                r.err());
        Cli unknown = Cli.run("tpm", "info", "--tpm", "swtpm:no-such-host.invalid:2321");
        assertEquals(3, unknown.code(), unknown.toString());
        assertTrue(unknown.err().startsWith("trustbit: TPM swtpm:no-such-host.invalid:2321: ")
                && unknown.err().endsWith(": host name not found\n"), unknown.err());
    }

    @Test
    void anUnreachableJwksExits3NamingHostAndCause() throws Exception {
        int port = closedPort();
        Cli refused = Cli.run("verdict", "check", "a.b.c", "--jwks", "http://127.0.0.1:" + port + "/jwks");
        assertEquals(3, refused.code(), refused.toString());
        assertEquals("trustbit: cannot fetch the JWKS: 127.0.0.1:" + port + ": connection refused\n", refused.err());

        Cli unknown = Cli.run("verdict", "check", "a.b.c", "--jwks", "https://no-such-host.invalid/jwks");
        assertEquals(3, unknown.code(), unknown.toString());
        assertEquals("trustbit: cannot fetch the JWKS: no-such-host.invalid:443: host name not found\n", unknown.err());

        Cli badUrl = Cli.run("verdict", "check", "a.b.c", "--jwks", "http://");
        assertEquals(2, badUrl.code(), badUrl.toString());
        assertFalse(badUrl.err().contains("null"), badUrl.err());
    }

    @Command(name = "boom")
    static final class Boom implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new IllegalStateException("invariant broken");
        }
    }

    @Test
    void anInternalErrorExits3WithOneLine() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.configure(new CommandLine(new Boom()), new PrintWriter(out), new PrintWriter(err));
        assertEquals(3, cl.execute());
        assertEquals("trustbit: internal error: invariant broken\n", err.toString());
        assertEquals(ExitCode.ENVIRONMENT.code(), 3);
    }
}
