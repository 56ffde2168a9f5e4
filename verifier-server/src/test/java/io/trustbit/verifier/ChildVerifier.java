package io.trustbit.verifier;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * A verifier in its own JVM, for tests that kill one: args DATA-DIR POLICY-DIR REPLICA [JDBC-URL USER] (without
 * a URL: the default embedded database in DATA-DIR). Prints {@code READY <url> <admin-token>} once it listens.
 * The system property {@code trustbit.test.webhook} ({@code NAME URL SECRET-FILE}) configures one webhook.
 */
public final class ChildVerifier {
    private ChildVerifier() {}

    public static void main(String[] args) throws Exception {
        VerifierConfig.Builder b = VerifierConfig.builder(Path.of(args[0])).port(0).policiesDir(Path.of(args[1]))
                .defaultPolicy("test").replicaId(args[2]);
        if (args.length > 3) {
            b.database(args[3], args[4], null);
        }
        String webhook = System.getProperty("trustbit.test.webhook");
        if (webhook != null) {
            String[] w = webhook.split(" ");
            b.webhooks(List.of(new WebhookConfig(w[0], URI.create(w[1]), Path.of(w[2]), Set.of())));
        }
        VerifierServer s = VerifierServer.start(b.build());
        System.out.println("READY " + s.url() + " " + s.adminToken());
        System.out.flush();
        s.join();
    }
}
