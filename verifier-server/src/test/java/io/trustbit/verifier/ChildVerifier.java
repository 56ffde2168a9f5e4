package io.trustbit.verifier;

import java.nio.file.Path;

/**
 * A verifier in its own JVM, for tests that kill one: args DATA-DIR POLICY-DIR JDBC-URL USER REPLICA. Prints
 * {@code READY <url> <admin-token>} once it listens.
 */
public final class ChildVerifier {
    private ChildVerifier() {}

    public static void main(String[] args) throws Exception {
        VerifierServer s = VerifierServer.start(VerifierConfig.builder(Path.of(args[0])).port(0)
                .policiesDir(Path.of(args[1])).defaultPolicy("test").database(args[2], args[3], null)
                .replicaId(args[4]).build());
        System.out.println("READY " + s.url() + " " + s.adminToken());
        System.out.flush();
        s.join();
    }
}
