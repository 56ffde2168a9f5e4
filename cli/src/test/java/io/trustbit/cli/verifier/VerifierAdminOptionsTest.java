package io.trustbit.cli.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.trustbit.cli.Cli;
import io.trustbit.cli.Main;
import io.trustbit.verifier.VerifierConfig;
import io.trustbit.verifier.VerifierServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every command that talks to the verifier's admin API takes its connection options from {@link VerifierAdminOptions}:
 * the same options, defaults and one-line errors, checked here against a real verifier for each of them.
 */
class VerifierAdminOptionsTest {
    /** The admin commands. */
    private static final List<List<String>> COMMANDS = List.of(List.of("verifier", "nodes"), List.of("verifier", "webhooks"));

    @TempDir
    Path dir;

    @Test
    void everyCommandWithAdminConnectionOptionsUsesTheMixin() {
        List<List<String>> found = new ArrayList<>();
        collect(Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())),
                new ArrayList<>(), found);
        assertEquals(COMMANDS, found, "commands with --token-file, --url or --data-dir beside --cacert");
    }

    private static void collect(CommandLine cl, List<String> path, List<List<String>> found) {
        var spec = cl.getCommandSpec();
        boolean admin = spec.findOption("--token-file") != null || spec.findOption("--url") != null;
        if (admin) {
            assertEquals(true, spec.mixins().values().stream()
                    .anyMatch(m -> m.userObject() instanceof VerifierAdminOptions), path + " declares its own connection options");
            found.add(List.copyOf(path));
        }
        for (var e : cl.getSubcommands().entrySet()) {
            List<String> sub = new ArrayList<>(path);
            sub.add(e.getKey());
            collect(e.getValue(), sub, found);
        }
    }

    @Test
    void everyAdminCommandGivesTheSameLines() throws Exception {
        Path data = dir.resolve("data");
        VerifierServer server = VerifierServer.start(VerifierConfig.builder(data).port(0).build());
        Path garbage = dir.resolve("garbage.pem");
        Files.writeString(garbage, "-----BEGIN CERTIFICATE-----\nnot base64 !\n-----END CERTIFICATE-----\n");
        Path empty = dir.resolve("empty-token");
        Files.writeString(empty, "\n");
        Path missing = dir.resolve("absent");
        String url = server.url().toString();
        Path other = dir.resolve("other");
        VerifierServer.start(VerifierConfig.builder(other).port(0).build()).close();
        try {
            for (List<String> c : COMMANDS) {
                // defaults from the data directory, and the same with every option named
                expectOk(c, "--url", url, "--data-dir", data);
                expectOk(c, "--url", url + "/", "--token-file", data.resolve("admin-token"), "--cacert",
                        data.resolve("tls-cert.pem"));
                expect(c, 2, "admin token file " + missing + " does not exist", "--url", url, "--data-dir", data,
                        "--token-file", missing);
                expect(c, 2, "admin token file " + missing.resolve("admin-token") + " does not exist", "--url", url,
                        "--data-dir", missing);
                expect(c, 2, "admin token file " + empty + " is empty or not one word of printable ASCII", "--url", url,
                        "--data-dir", data, "--token-file", empty);
                expect(c, 2, "--cacert " + missing + " does not exist", "--url", url, "--data-dir", data, "--cacert", missing);
                expect(c, 2, "--cacert " + garbage + " is not a PEM certificate file: ", "--url", url, "--data-dir", data,
                        "--cacert", garbage);
                expect(c, 2, "--url ftp://127.0.0.1/ is not an https or http URL of a host", "--url", "ftp://127.0.0.1/",
                        "--data-dir", data);
                expect(c, 2, "--url https:///v1 is not an https or http URL of a host", "--url", "https:///v1",
                        "--data-dir", data);
                expect(c, 2, "--url http://192.0.2.7:8443: plain http is allowed only to a loopback address", "--url",
                        "http://192.0.2.7:8443", "--data-dir", data);
                expect(c, 2, "--url http://127.0.0.1.example.net: plain http is allowed only to a loopback address",
                        "--url", "http://127.0.0.1.example.net", "--data-dir", data);
                expect(c, 2, "--cacert " + data.resolve("tls-cert.pem") + " is for an https URL, not http://127.0.0.1:9/v1/",
                        "--url", "http://127.0.0.1:9", "--data-dir", data, "--cacert", data.resolve("tls-cert.pem"));
                // a certificate the verifier's is not signed by: the TLS handshake fails, named by host
                expect(c, 3, "cannot fetch ", "--url", url, "--data-dir", data, "--cacert", other.resolve("tls-cert.pem"));
            }
        } finally {
            server.close();
        }
    }

    private static void expectOk(List<String> command, Object... options) {
        Cli r = run(command, options);
        assertEquals(0, r.code(), r.toString());
    }

    /** Exit {@code code} and one line on stderr that starts with "trustbit: " + {@code line}. */
    private static void expect(List<String> command, int code, String line, Object... options) {
        Cli r = run(command, options);
        assertEquals(code, r.code(), command + ": " + r);
        String err = r.err();
        assertEquals(true, err.startsWith("trustbit: " + line) && err.indexOf('\n') == err.length() - 1,
                command + ": expected one line starting with \"trustbit: " + line + "\", got: " + err);
    }

    private static Cli run(List<String> command, Object... options) {
        List<Object> args = new ArrayList<>(command);
        args.addAll(List.of(options));
        return Cli.run(args.toArray());
    }
}
