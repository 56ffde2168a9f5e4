package io.trustbit.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
    void killingAReplicaMidLoadLosesNoAnsweredVerdict() throws Exception {
        Path childData = dir.resolve("child");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), ChildVerifier.class.getName(), childData.toString(),
                dir.resolve("a/policies").toString(), pg.jdbcUrl(), pg.user(), "replica-child")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.startsWith("READY "));
            assertTrue(line != null, "child verifier did not start");
            String url = line.split(" ")[1];
            java.net.http.HttpClient http = TestVerifier.client(io.trustbit.verifier.internal.KeyFiles
                    .readCertificates(childData.resolve("tls-cert.pem")).get(0));

            List<String> ids = new ArrayList<>();
            List<SoftTpm> tpms = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String id = enroll();
                SoftTpm tpm = new SoftTpm();
                a.enroll(id, tpm);
                ids.add(id);
                tpms.add(tpm);
            }
            Set<String> answered = ConcurrentHashMap.newKeySet();
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService load = Executors.newFixedThreadPool(4);
            List<Future<?>> workers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String id = ids.get(i);
                SoftTpm tpm = tpms.get(i);
                workers.add(load.submit(() -> {
                    while (!stop.get()) {
                        try {
                            var c = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                    url + "/v1/nodes/" + id + "/challenge")).POST(java.net.http.HttpRequest.BodyPublishers
                                    .noBody()).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                            String nonceHex = TestVerifier.JSON.readTree(c.body()).get("nonce").asText();
                            byte[] ev = evidence(id, tpm, HexFormat.of().parseHex(nonceHex));
                            var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                    url + "/v1/nodes/" + id + "/evidence")).POST(java.net.http.HttpRequest.BodyPublishers
                                    .ofByteArray(ev)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200) {
                                answered.add(nonceHex);
                            }
                        } catch (Exception e) {
                            return; // the replica died
                        }
                    }
                }));
            }
            long until = System.currentTimeMillis() + 10_000;
            while (answered.size() < 40 && System.currentTimeMillis() < until) {
                Thread.sleep(20);
            }
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            stop.set(true);
            for (Future<?> w : workers) {
                w.get(30, TimeUnit.SECONDS);
            }
            load.shutdownNow();
            assertTrue(answered.size() >= 40, "load reached only " + answered.size() + " verdicts");
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), "");
                    PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM verdicts WHERE nonce = ?"
                            + " AND replica = 'replica-child'")) {
                List<String> missing = new ArrayList<>();
                for (String n : answered) {
                    ps.setString(1, n);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        if (rs.getInt(1) != 1) {
                            missing.add(n);
                        }
                    }
                }
                assertTrue(missing.isEmpty(), missing.size() + " answered verdicts are not in the audit table");
            }
        } finally {
            child.destroyForcibly();
        }
    }

    static byte[] evidence(String id, SoftTpm tpm, byte[] nonce) {
        SoftTpm.Quote q = tpm.new Quote(nonce, SoftTpm.sha256(DrtmChain.drtmPcrs()), CHAIN.pcrs());
        byte[] attest = q.attest();
        return TestVerifier.evidence(id, tpm, nonce, attest, q.signature(attest), CHAIN.pcrs(), CHAIN.eventLog());
    }
}
