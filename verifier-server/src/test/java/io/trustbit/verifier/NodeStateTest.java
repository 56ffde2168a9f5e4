package io.trustbit.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/verifier.md "Node state", on a real TLS server: only authenticated evidence (the node's TPM quote over
 * a nonce this verifier issued to it) decides a node's state; anything else is a recorded failed attempt; a
 * node that stops attesting shows as stale.
 */
class NodeStateTest {
    @TempDir
    static Path dir;
    static TestVerifier v;
    static final AtomicInteger NODES = new AtomicInteger();
    static final DrtmChain CHAIN = new DrtmChain();

    @BeforeAll
    static void start() throws Exception {
        v = TestVerifier.start(dir, b -> { });
        v.policy("test.yaml", CHAIN.policyYaml("test", false));
        // a verdict lifetime of 2 s: the staleness test waits for it
        v.policy("short.yaml", CHAIN.policyYaml("short", false) + "verdictLifetimeSeconds: 2\n");
        for (int i = 0; i < 50 && v.admin("GET", "/v1/policies", null).json().get("policies").size() < 2; i++) {
            Thread.sleep(100);
        }
    }

    @AfterAll
    static void stop() {
        v.close();
    }

    /** An enrolled node with its own software TPM and its last evidence. */
    static final class Node {
        final String id = "state-" + NODES.incrementAndGet();
        final SoftTpm tpm = new SoftTpm();
        byte[] lastEvidence;
        JsonNode firstAnswer;

        Node() throws Exception {
            v.enroll(id, tpm);
        }

        /** Evidence over a fresh challenge, signed by this node's AK, for the chain {@code chain}. */
        JsonNode attest(DrtmChain chain) throws Exception {
            byte[] nonce = v.challenge(id);
            SoftTpm.Quote q = tpm.new Quote(nonce, SoftTpm.sha256(DrtmChain.drtmPcrs()), chain.pcrs());
            byte[] attest = q.attest();
            lastEvidence = TestVerifier.evidence(id, tpm, nonce, attest, q.signature(attest), chain.pcrs(),
                    chain.eventLog());
            return send(lastEvidence);
        }

        JsonNode send(byte[] body) throws Exception {
            TestVerifier.Reply r = v.postEvidence(id, body);
            assertEquals(200, r.status(), r.text());
            return r.json();
        }

        JsonNode state() throws Exception {
            TestVerifier.Reply r = v.admin("GET", "/v1/nodes/" + id, null);
            assertEquals(200, r.status(), r.text());
            return r.json();
        }

        JsonNode inList() throws Exception {
            for (JsonNode n : v.admin("GET", "/v1/nodes", null).json().get("nodes")) {
                if (n.get("nodeId").asText().equals(id)) {
                    return n;
                }
            }
            throw new AssertionError(id + " not in the node list");
        }
    }

    static Node affirmed() throws Exception {
        Node n = new Node();
        JsonNode first = n.attest(CHAIN);
        assertEquals("affirming", first.get("status").asText(), first.toString());
        assertTrue(first.get("verdict").asText().startsWith("ey"), first.toString());
        n.firstAnswer = first;
        return n;
    }

    /** The answer names the check, carries no signed verdict, and the node still shows its affirming verdict. */
    static void assertFailedAttempt(Node n, JsonNode answer, String check) throws Exception {
        JsonNode node = n.state();
        assertTrue(node.get("trusted").asBoolean(), "the node's state is unchanged: " + node);
        assertEquals("affirming", node.get("latestVerdict").get("status").asText(), node.toString());
        assertEquals(1, node.get("history").size(), node.toString());
        assertTrue(n.inList().get("trusted").asBoolean());
        assertEquals("contraindicated", answer.get("status").asText(), answer.toString());
        assertTrue(answer.get("reasons").toString().contains("\"check\":\"" + check + "\""), answer.toString());
        assertFalse(answer.has("verdict"), "no signed verdict for unauthenticated evidence: " + answer);
        assertFalse(answer.path("authenticated").asBoolean(true), answer.toString());
        JsonNode attempt = node.path("failedAttempts").path(0);
        assertTrue(attempt.path("reasons").toString().contains("\"check\":\"" + check + "\""), node.toString());
    }

    @Test
    void randomBytesLeaveAnAffirmedNodeTrustedAndAreRecordedAsAFailedAttempt() throws Exception {
        Node n = affirmed();
        byte[] noise = new byte[700];
        new SecureRandom().nextBytes(noise);
        assertFailedAttempt(n, n.send(noise), "evidence.format");
        assertTrue(n.firstAnswer.path("authenticated").asBoolean(), n.firstAnswer.toString());
        String metrics = v.admin("GET", "/metrics", null).text();
        assertTrue(metrics.contains("trustbit_failed_attempts_total{check=\"evidence.format\"}"), metrics);
    }

    @Test
    void replayedEvidenceLeavesTheNodeTrustedAndIsRecordedAsAFailedAttempt() throws Exception {
        Node n = affirmed();
        assertFailedAttempt(n, n.send(n.lastEvidence), "nonce");
        assertEquals(1, n.state().path("failedAttempts").size());
    }

    @Test
    void evidenceSignedByAnotherTpmIsAFailedAttempt() throws Exception {
        Node n = affirmed();
        SoftTpm stranger = new SoftTpm();
        byte[] nonce = v.challenge(n.id);
        SoftTpm.Quote q = stranger.new Quote(nonce, SoftTpm.sha256(DrtmChain.drtmPcrs()), CHAIN.pcrs());
        byte[] attest = q.attest();
        assertFailedAttempt(n, n.send(TestVerifier.evidence(n.id, stranger, nonce, attest, q.signature(attest),
                CHAIN.pcrs(), CHAIN.eventLog())), "quote.signature");
    }

    @Test
    void authenticatedEvidenceThatFailsThePolicyMakesTheNodeUntrusted() throws Exception {
        Node n = affirmed();
        DrtmChain tampered = new DrtmChain();
        tampered.vmm = "a tampered VMM".getBytes();
        JsonNode answer = n.attest(tampered);
        assertEquals("contraindicated", answer.get("status").asText(), answer.toString());
        assertTrue(answer.path("authenticated").asBoolean(), answer.toString());
        assertTrue(answer.get("verdict").asText().startsWith("ey"), answer.toString());
        JsonNode node = n.state();
        assertFalse(node.get("trusted").asBoolean(), node.toString());
        assertFalse(node.path("stale").asBoolean(true), node.toString());
        assertEquals("contraindicated", node.get("latestVerdict").get("status").asText(), node.toString());
        assertEquals(0, node.path("failedAttempts").size(), node.toString());
        // and replaying the good evidence of before does not bring it back
        assertFalse(n.send(n.lastEvidence).path("authenticated").asBoolean(true));
        assertFalse(n.state().get("trusted").asBoolean());
    }

    @Test
    void aNodeThatStopsAttestingIsStaleInTheNodeList() throws Exception {
        Node n = new Node();
        JsonNode never = n.inList();
        assertFalse(never.get("trusted").asBoolean(), never.toString());
        assertTrue(never.path("stale").asBoolean(), "enrolled, never attested: " + never);
        assertEquals(200, v.admin("PUT", "/v1/nodes/" + n.id + "/policy", java.util.Map.of("policyId", "short"))
                .status());
        assertEquals("affirming", n.attest(CHAIN).get("status").asText());
        JsonNode fresh = n.inList();
        assertTrue(fresh.get("trusted").asBoolean(), fresh.toString());
        assertFalse(fresh.path("stale").asBoolean(true), fresh.toString());
        Thread.sleep(3_100);
        JsonNode stale = n.inList();
        assertFalse(stale.get("trusted").asBoolean(), stale.toString());
        assertTrue(stale.path("stale").asBoolean(), stale.toString());
        assertEquals("affirming", stale.get("latestVerdict").get("status").asText(), stale.toString());
    }
}
