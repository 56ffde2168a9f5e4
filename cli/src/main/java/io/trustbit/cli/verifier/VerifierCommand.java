package io.trustbit.cli.verifier;

import io.trustbit.cli.CliException;
import io.trustbit.cli.ExitCode;
import io.trustbit.cli.VerboseOption;
import io.trustbit.verifier.VerifierConfig;
import io.trustbit.verifier.VerifierServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code trustbit verifier serve}: the verifier service (docs/verifier.md). */
@Command(mixinStandardHelpOptions = true, name = "verifier", description = "The verifier service.", subcommands = {VerifierCommand.Serve.class, WebhooksCommand.class})
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
            out.println("policies: " + cfg.policiesDir());
            out.flush();
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "verifier-shutdown"));
            server.join();
            return ExitCode.OK.code();
        }
    }
}
