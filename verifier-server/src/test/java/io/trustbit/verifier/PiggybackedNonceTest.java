package io.trustbit.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The next challenge carried by an evidence answer ({@code next}) is a challenge like any other: accepted once,
 * only for its node, only until it expires (embedded database; PostgresReplicasTest covers replicas).
 */
class PiggybackedNonceTest {
    static final DrtmChain CHAIN = new DrtmChain();

    @TempDir
    Path dir;

    @Test
    void nextNonceIsAcceptedOnceAndOnlyForItsNode() throws Exception {
        try (TestVerifier v = start(Duration.ofSeconds(60))) {
            SoftTpm n1 = new SoftTpm();
            SoftTpm n2 = new SoftTpm();
            v.enroll("n1", n1);
            v.enroll("n2", n2);
            JsonNode first = send(v, "n1", n1, v.challenge("n1"));
            assertEquals("affirming", first.get("status").asText(), first.toString());
            byte[] next = nextNonce(first);
            Instant expires = Instant.parse(first.get("next").get("expiresAt").asText());
            assertTrue(expires.isAfter(Instant.now().plusSeconds(50)) && expires.isBefore(Instant.now().plusSeconds(61)),
                    expires.toString());

            JsonNode second = send(v, "n1", n1, next);
            assertEquals("affirming", second.get("status").asText(), second.toString());
            JsonNode replay = send(v, "n1", n1, next);
            assertEquals("contraindicated", replay.get("status").asText());
            assertEquals("nonce", replay.get("reasons").get(0).get("check").asText(), replay.toString());

            // n1's next nonce presented by n2 is refused, and is spent by that attempt
            byte[] third = nextNonce(second);
            JsonNode other = send(v, "n2", n2, third);
            assertEquals("contraindicated", other.get("status").asText());
            assertEquals("nonce", other.get("reasons").get(0).get("check").asText(), other.toString());
            assertEquals("contraindicated", send(v, "n1", n1, third).get("status").asText());
        }
    }

    @Test
    void nextNonceExpiresAndRevokedNodesGetNone() throws Exception {
        try (TestVerifier v = start(Duration.ofSeconds(1))) {
            SoftTpm n1 = new SoftTpm();
            v.enroll("n1", n1);
            JsonNode first = send(v, "n1", n1, v.challenge("n1"));
            assertEquals("affirming", first.get("status").asText(), first.toString());
            byte[] next = nextNonce(first);
            Thread.sleep(1200);
            JsonNode late = send(v, "n1", n1, next);
            assertEquals("contraindicated", late.get("status").asText());
            assertTrue(late.get("reasons").get(0).get("detail").asText().contains("expired"), late.toString());

            byte[] fresh = v.challenge("n1");
            assertEquals(200, v.admin("POST", "/v1/nodes/n1/revoke", null).status());
            JsonNode revoked = send(v, "n1", n1, fresh);
            assertEquals("contraindicated", revoked.get("status").asText());
            assertFalse(revoked.has("next"), revoked.toString());
        }
    }

    private TestVerifier start(Duration nonceLifetime) throws Exception {
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/test.yaml"), CHAIN.policyYaml("test", false));
        return TestVerifier.start(dir, b -> b.nonceLifetime(nonceLifetime));
    }

    static byte[] nextNonce(JsonNode answer) {
        JsonNode next = answer.get("next");
        assertNotNull(next, answer.toString());
        String hex = next.get("nonce").asText();
        assertTrue(hex.matches("[0-9a-f]{64}"), hex);
        return HexFormat.of().parseHex(hex);
    }

    private static JsonNode send(TestVerifier v, String nodeId, SoftTpm tpm, byte[] nonce) throws Exception {
        SoftTpm.Quote q = tpm.new Quote(nonce, SoftTpm.sha256(DrtmChain.drtmPcrs()), CHAIN.pcrs());
        byte[] attest = q.attest();
        TestVerifier.Reply r = v.postEvidence(nodeId, TestVerifier.evidence(nodeId, tpm, nonce, attest,
                q.signature(attest), CHAIN.pcrs(), CHAIN.eventLog()));
        assertEquals(200, r.status(), r.text());
        return r.json();
    }
}
