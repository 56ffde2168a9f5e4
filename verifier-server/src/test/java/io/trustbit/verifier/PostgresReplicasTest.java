package io.trustbit.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several verifier replicas on one real PostgreSQL cluster. */
class PostgresReplicasTest {
    @TempDir
    static Path dir;
    static PostgresCluster pg;
    static TestVerifier a;
    static TestVerifier b;
    static final DrtmChain CHAIN = new DrtmChain();
    static int nodes;

    @BeforeAll
    static void start() throws Exception {
        pg = PostgresCluster.start(false);
        Path policies = dir.resolve("a/policies");
        Files.createDirectories(policies);
        Files.writeString(policies.resolve("test.yaml"), CHAIN.policyYaml("test", false));
        a = TestVerifier.start(dir.resolve("a"), c -> c.database(pg.jdbcUrl(), pg.user(), null).replicaId("replica-a"));
        b = TestVerifier.start(dir.resolve("b"), c -> c.database(pg.jdbcUrl(), pg.user(), null).replicaId("replica-b")
                .policiesDir(policies));
    }

    @AfterAll
    static void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    private static String enroll() throws Exception {
        String id = "pg-node-" + (++nodes);
        return id;
    }

    @Test
    void aNonceIssuedByOneReplicaIsAcceptedOnceByAny() throws Exception {
        String id = enroll();
        SoftTpm tpm = new SoftTpm();
        a.enroll(id, tpm);
        byte[] nonce = a.challenge(id);
        byte[] ev = evidence(id, tpm, nonce);
        JsonNode first = b.postEvidence(id, ev).json();
        assertEquals("affirming", first.get("status").asText(), first.toString());
        assertEquals("contraindicated", a.postEvidence(id, ev).json().get("status").asText());
        assertEquals("contraindicated", b.postEvidence(id, ev).json().get("status").asText());
        // the JWKS of either replica holds both replicas' keys
        VerdictVerifier.fromJwks(a.jwks()).verify(first.get("verdict").asText(), java.time.Instant.now());
    }

    @Test
    void aNextNonceFromOneReplicaIsAcceptedOnceByAnyAndOnlyForItsNode() throws Exception {
        String id = enroll();
        String other = enroll();
        SoftTpm tpm = new SoftTpm();
        SoftTpm otherTpm = new SoftTpm();
        a.enroll(id, tpm);
        a.enroll(other, otherTpm);
        JsonNode first = a.postEvidence(id, evidence(id, tpm, a.challenge(id))).json();
        assertEquals("affirming", first.get("status").asText(), first.toString());
        byte[] next = PiggybackedNonceTest.nextNonce(first);
        JsonNode second = b.postEvidence(id, evidence(id, tpm, next)).json();
        assertEquals("affirming", second.get("status").asText(), second.toString());
        assertEquals("contraindicated", a.postEvidence(id, evidence(id, tpm, next)).json().get("status").asText());
        byte[] third = PiggybackedNonceTest.nextNonce(second);
        assertEquals("contraindicated", a.postEvidence(other, evidence(other, otherTpm, third)).json().get("status")
                .asText());
    }

    @Test
    void oneNonceRacedAgainstBothReplicasSucceedsOnce() throws Exception {
        String id = enroll();
        SoftTpm tpm = new SoftTpm();
        b.enroll(id, tpm);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 10; round++) {
                byte[] ev = evidence(id, tpm, a.challenge(id));
                CountDownLatch go = new CountDownLatch(1);
                List<Future<String>> results = new ArrayList<>();
                for (TestVerifier v : List.of(a, b)) {
                    results.add(pool.submit(() -> {
                        go.await();
                        return v.postEvidence(id, ev).json().get("status").asText();
                    }));
                }
                go.countDown();
                int affirming = 0;
                for (Future<String> f : results) {
                    affirming += f.get(30, TimeUnit.SECONDS).equals("affirming") ? 1 : 0;
                }
                assertEquals(1, affirming, "round " + round);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void oneTpmActivatingAsTwoNodesOnTwoReplicasAtOnceGetsOneOfThem() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 5; round++) {
                SoftTpm tpm = new SoftTpm();
                String x = enroll();
                String y = enroll();
                // both enroll steps pass (nothing holds the EK yet); the activations race
                JsonNode ex = TestVerifier.startEnrollment(a.http, a.server.url(), x, tpm);
                JsonNode ey = TestVerifier.startEnrollment(b.http, b.server.url(), y, tpm);
                CountDownLatch go = new CountDownLatch(1);
                Future<TestVerifier.Reply> rx = pool.submit(() -> {
                    go.await();
                    return TestVerifier.activate(a.http, a.server.url(), x, tpm, ex);
                });
                Future<TestVerifier.Reply> ry = pool.submit(() -> {
                    go.await();
                    return TestVerifier.activate(b.http, b.server.url(), y, tpm, ey);
                });
                go.countDown();
                List<TestVerifier.Reply> replies = List.of(rx.get(30, TimeUnit.SECONDS), ry.get(30, TimeUnit.SECONDS));
                long won = replies.stream().filter(r -> r.status() == 200).count();
                long refused = replies.stream().filter(r -> r.status() == 409
                        && r.json().path("error").path("code").asText().equals("EK_IN_USE")).count();
                assertEquals(1, won, "round " + round + ": " + replies);
                assertEquals(1, refused, "round " + round + ": " + replies);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The launch chain is compared with the stored row, not with what one replica last wrote: a node that
     * relaunches a new chain through replica b and its first chain again through replica a shows the first one
     * on both.
     */
    @Test
    void aNodeRelaunchingThroughAnotherReplicaShowsItsLatestChainOnEvery() throws Exception {
        String id = enroll();
        SoftTpm tpm = new SoftTpm();
        a.enroll(id, tpm);
        DrtmChain newer = new DrtmChain();
        newer.guestSecurityVersion = CHAIN.guestSecurityVersion + 1;
        List<TestVerifier> through = List.of(a, b, a);
        List<DrtmChain> launched = List.of(CHAIN, newer, CHAIN);
        for (int i = 0; i < through.size(); i++) {
            TestVerifier v = through.get(i);
            JsonNode answer = v.postEvidence(id, launched.get(i).evidence(id, tpm, v.challenge(id))).json();
            assertEquals("affirming", answer.get("status").asText(), answer.toString());
            for (TestVerifier reader : List.of(a, b)) {
                JsonNode chain = reader.admin("GET", "/v1/nodes/" + id + "/launch-chain", null).json();
                assertEquals(launched.get(i).guestSecurityVersion,
                        chain.path("chain").path("guests").path(0).path("securityVersion").asLong(),
                        "launch " + i + " read through " + (reader == a ? "a" : "b") + ": " + chain);
            }
        }
    }

    @Test
    void killingAReplicaUnderLoadAgainAndAgainLosesNoAnsweredVerdictAndNoUsedNonce() throws Exception {
        KillUnderLoad.Outcome o = new KillUnderLoad(dir.resolve("killed"), List.of(pg.jdbcUrl(), pg.user()),
                () -> DriverManager.getConnection(pg.jdbcUrl(), pg.user(), ""), false).run(4, 4, 30);
        assertTrue(o.failures().isEmpty(), o.summary());
        assertTrue(o.answered() >= 4 * 30 && o.replays() >= 3 * 30, o.summary());
    }

    static byte[] evidence(String id, SoftTpm tpm, byte[] nonce) {
        return CHAIN.evidence(id, tpm, nonce);
    }
}
