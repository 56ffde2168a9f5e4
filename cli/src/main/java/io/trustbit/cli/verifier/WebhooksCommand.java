package io.trustbit.cli.verifier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustbit.attest.NetworkFailures;
import io.trustbit.cli.CliException;
import io.trustbit.cli.ExitCode;
import io.trustbit.cli.VerboseOption;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trustbit verifier webhooks}: the delivery state of each configured webhook, read from a running verifier
 * ({@code GET /v1/webhooks} with the admin token). The verifier never returns a webhook's secret or URL.
 */
@Command(mixinStandardHelpOptions = true, name = "webhooks",
        description = "Show the delivery state of the verifier's webhooks (delivered, undelivered, retries).")
public final class WebhooksCommand implements Callable<Integer> {
    private static final int MAX_ANSWER = 4 * 1024 * 1024;

    @Spec CommandSpec spec;
    @Mixin VerboseOption verbose;

    @Option(names = "--url", paramLabel = "URL", description = "The verifier (default https://127.0.0.1:8443).")
    URI url = URI.create("https://127.0.0.1:8443");

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "The verifier's data directory: admin-token and tls-cert.pem are read from it (default ./verifier-data).")
    Path dataDir = Path.of("verifier-data");

    @Option(names = "--token-file", paramLabel = "FILE", description = "Admin token file (default DATA-DIR/admin-token).")
    Path tokenFile;

    @Option(names = "--cacert", paramLabel = "PEM", description = "Trust this certificate (default DATA-DIR/tls-cert.pem).")
    Path cacert;

    @Option(names = "--json", description = "Print the verifier's JSON answer.") boolean json;

    @Override
    public Integer call() {
        Path tokenPath = tokenFile != null ? tokenFile : dataDir.resolve("admin-token");
        String token;
        try {
            token = Files.readString(tokenPath, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw CliException.badInput("cannot read the admin token " + tokenPath + ": " + e.getMessage(), e);
        }
        if (!("https".equals(url.getScheme()) || "http".equals(url.getScheme())) || url.getHost() == null) {
            throw CliException.badInput("--url " + url + " is not an https or http URL", null);
        }
        Path pem = "https".equals(url.getScheme()) ? (cacert != null ? cacert : dataDir.resolve("tls-cert.pem")) : null;
        byte[] body = VerifierHttp.get(url.resolve("/v1/webhooks").toString(), "--url", pem, token, MAX_ANSWER,
                "the webhooks' delivery state");
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new String(body, StandardCharsets.UTF_8));
            return ExitCode.OK.code();
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(body);
        } catch (IOException e) {
            throw CliException.environment("the verifier's answer is not JSON", e);
        }
        if (root.path("webhooks").isEmpty()) {
            out.println("no webhooks configured");
        }
        for (JsonNode w : root.path("webhooks")) {
            out.println("webhook " + w.path("name").asText() + ": " + w.path("delivered").asLong() + " delivered, "
                    + w.path("undelivered").asLong() + " undelivered");
            for (JsonNode u : w.path("oldestUndelivered")) {
                out.println("  " + u.path("eventId").asText() + " " + u.path("type").asText() + " node "
                        + u.path("nodeId").asText() + ": " + u.path("attempts").asInt() + " attempts, next "
                        + u.path("nextAttemptAt").asText()
                        + (u.hasNonNull("lastError") ? ", last error: " + u.path("lastError").asText() : ""));
            }
        }
        return ExitCode.OK.code();
    }
}
