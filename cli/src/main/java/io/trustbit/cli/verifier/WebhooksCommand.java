package io.trustbit.cli.verifier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustbit.cli.CliException;
import io.trustbit.cli.ExitCode;
import io.trustbit.cli.VerboseOption;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
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
    @Mixin VerifierAdminOptions verifier;

    @Option(names = "--json", description = "Print the verifier's JSON answer.") boolean json;

    @Override
    public Integer call() {
        byte[] body = verifier.get("/v1/webhooks", MAX_ANSWER, "the webhooks' delivery state");
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
