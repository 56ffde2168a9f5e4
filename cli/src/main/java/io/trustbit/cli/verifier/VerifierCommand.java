package io.trustbit.cli.verifier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustbit.cli.CliException;
import io.trustbit.cli.ExitCode;
import io.trustbit.cli.VerboseOption;
import io.trustbit.verifier.DatabaseUnreadableException;
import io.trustbit.verifier.VerifierConfig;
import io.trustbit.verifier.VerifierServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code trustbit verifier serve}: the verifier service (docs/verifier.md). */
@Command(mixinStandardHelpOptions = true, name = "verifier", description = "The verifier service.", subcommands = {VerifierCommand.Serve.class, VerifierCommand.Nodes.class, WebhooksCommand.class, DbCommand.class})
public final class VerifierCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCode.BAD_INPUT.code();
    }

    /** Starts the service and runs until stopped. */
    @Command(mixinStandardHelpOptions = true, name = "serve", description = "Run the verifier: TLS on loopback and an embedded database by default.")
    public static final class Serve implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin VerboseOption verbose;

        @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration (docs/verifier.md).")
        Path config;

        @Option(names = "--data-dir", paramLabel = "DIR",
                description = "Database, keys, admin token, default policies (default: ./verifier-data).")
        Path dataDir;

        @Option(names = "--port", paramLabel = "N", description = "TCP port (default 8443; 0 picks a free one).")
        Integer port;

        @Option(names = "--host", paramLabel = "ADDR", description = "Address to listen on (default 127.0.0.1).")
        String host;

        @Option(names = "--policies", paramLabel = "DIR", description = "Policy directory (default DATA-DIR/policies).")
        Path policies;

        @Option(names = "--insecure-http", description = "Plain HTTP instead of TLS; only allowed on a loopback address.")
        boolean insecureHttp;

        @Option(names = "--read-token-file", paramLabel = "FILE",
                description = "File holding the read-only token (dashboard and read endpoints; overrides readToken).")
        Path readTokenFile;

        @Override
        public Integer call() throws Exception {
            VerifierConfig.Builder b;
            try {
                b = config != null ? VerifierConfig.load(config, dataDir)
                        : VerifierConfig.builder(dataDir != null ? dataDir : Path.of("verifier-data"));
            } catch (IOException e) {
                throw CliException.badInput(e.getMessage(), e);
            }
            if (port != null) {
                b.port(port);
            }
            if (host != null) {
                b.host(host);
            }
            if (policies != null) {
                b.policiesDir(policies);
            }
            if (insecureHttp) {
                b.insecureHttp(true);
            }
            if (readTokenFile != null) {
                try {
                    b.readToken(Files.readString(readTokenFile, StandardCharsets.US_ASCII).strip());
                } catch (IOException e) {
                    throw CliException.badInput("cannot read the read-only token file " + readTokenFile, e);
                }
            }
            VerifierConfig cfg;
            try {
                cfg = b.build();
            } catch (IllegalArgumentException e) {
                throw CliException.badInput(e.getMessage(), e);
            }
            VerifierServer server;
            try {
                server = VerifierServer.start(cfg);
            } catch (IllegalArgumentException e) {
                throw CliException.badInput(e.getMessage(), e);
            } catch (DatabaseUnreadableException e) {
                throw CliException.environment(e.getMessage(), e);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("verifier listening on " + server.url());
            if (server.tlsFingerprint() != null) {
                out.println("TLS certificate SHA-256 fingerprint: " + server.tlsFingerprint());
            } else {
                out.println("WARNING: plain HTTP (loopback only)");
            }
            out.println("admin token: " + (server.adminTokenFile() != null ? "in " + server.adminTokenFile()
                    : "from the configuration"));
            out.println("read-only token: " + (cfg.readToken() == null ? "none (reads take the admin token)"
                    : readTokenFile != null ? "from " + readTokenFile : "from the configuration"));
            out.println("dashboard: " + server.url() + "/ui/");
            out.println("policies: " + cfg.policiesDir());
            out.flush();
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "verifier-shutdown"));
            server.join();
            return ExitCode.OK.code();
        }
    }

    /**
     * {@code trustbit verifier nodes [--url URL] [--data-dir DIR] [--token-file F] [--cacert PEM] [--json]}: the node list (GET /v1/nodes),
     * one line per node; a node whose next attestation will fail under the current policy (a retired signer, a
     * raised minimum security version) has its reasons on the lines below it.
     */
    @Command(mixinStandardHelpOptions = true, name = "nodes",
            description = "List the verifier's nodes, and why the next attestation of each will fail (retired signers, raised minimums).")
    public static final class Nodes implements Callable<Integer> {
        private static final int MAX_LIST = 64 * 1024 * 1024;
        @Spec CommandSpec spec;
        @Mixin VerboseOption verbose;
        @Mixin VerifierAdminOptions verifier;

        @Option(names = "--json", description = "Print the verifier's JSON answer.") boolean json;

        @Override
        public Integer call() {
            byte[] body = verifier.get("/v1/nodes", MAX_LIST, "the node list");
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(new String(body, StandardCharsets.UTF_8));
                return ExitCode.OK.code();
            }
            JsonNode list;
            try {
                list = new ObjectMapper().readTree(body);
            } catch (IOException e) {
                throw CliException.environment("the node list is not JSON: " + e.getMessage(), e);
            }
            out.print(render(list));
            return ExitCode.OK.code();
        }

        /** One line per node ({@code id status trusted|untrusted|stale policy}), its next-attestation failures indented below. */
        static String render(JsonNode list) {
            StringBuilder b = new StringBuilder();
            for (JsonNode n : list.path("nodes")) {
                String state = n.path("stale").asBoolean() ? "stale" : n.path("trusted").asBoolean() ? "trusted" : "untrusted";
                b.append(n.path("nodeId").asText()).append('\t').append(n.path("status").asText()).append('\t').append(state)
                        .append('\t').append(n.path("policyId").isTextual() ? n.path("policyId").asText() : "-").append('\n');
                for (JsonNode r : n.path("nextAttestationFails")) {
                    b.append("  next attestation fails: ").append(r.path("check").asText()).append(": ")
                            .append(r.path("detail").asText()).append('\n');
                }
            }
            return b.toString();
        }
    }
}
