package io.trustbit.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One TPM is one node (docs/verifier.md "Enrollment: one TPM, one node"), on the real server. */
class OneTpmOneNodeTest {
    @TempDir
    static Path dir;
    static TestVerifier v;
    static final DrtmChain CHAIN = new DrtmChain();

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/test.yaml"), CHAIN.policyYaml("test", false));
        v = TestVerifier.start(dir, b -> { });
    }

    @AfterAll
    static void stop() {
        if (v != null) {
            v.close();
        }
    }

    private static TestVerifier.Reply enroll(String id, SoftTpm tpm) throws Exception {
        return v.post("/v1/nodes/" + id + "/enroll", Map.of("ekPublic", TestVerifier.b64(tpm.ekPublic()), "akPublic",
                TestVerifier.b64(tpm.akPublic())));
    }

    private static void assertError(int status, String code, TestVerifier.Reply r) {
        assertEquals(status, r.status(), r.text());
        assertEquals(code, r.json().path("error").path("code").asText(), r.text());
    }

    private static String attest(String id, SoftTpm tpm) throws Exception {
        return v.postEvidence(id, CHAIN.evidence(id, tpm, v.challenge(id))).json().get("status").asText();
    }

    @Test
    void anEnrolledTpmIsRefusedUnderAnotherIdUntilTheFirstIsRetired() throws Exception {
        SoftTpm tpm = new SoftTpm();
        v.enroll("host-a", tpm);
        assertError(409, "EK_IN_USE", enroll("host-b", tpm));
        // the same id may enroll again (a new AK, same TPM)
        v.enroll("host-a", tpm);
        assertEquals("affirming", attest("host-a", tpm));

        assertEquals(401, v.post("/v1/nodes/host-a/retire", null).status());
        TestVerifier.Reply retired = v.admin("POST", "/v1/nodes/host-a/retire", null);
        assertEquals(200, retired.status(), retired.text());
        assertEquals("retired", retired.json().get("status").asText());
        JsonNode a = v.admin("GET", "/v1/nodes/host-a", null).json();
        assertEquals("retired", a.get("status").asText());
        assertEquals(false, a.get("trusted").asBoolean());
        assertError(409, "NODE_NOT_ENROLLED", v.post("/v1/nodes/host-a/challenge", null));

        v.enroll("host-b", tpm);
        assertEquals("affirming", attest("host-b", tpm));
        // the retired id never comes back: not with its TPM (now held by host-b), not after host-b is retired
        assertError(409, "EK_IN_USE", enroll("host-a", tpm));
        assertEquals(200, v.admin("POST", "/v1/nodes/host-b/retire", null).status());
        assertError(403, "NODE_RETIRED", enroll("host-a", tpm));
        assertError(404, "NOT_FOUND", v.admin("POST", "/v1/nodes/no-such-node/retire", null));
    }

    @Test
    void theDatabaseRefusesTheSecondActivationOfOneTpmEvenWhenBothEnrollStepsPassed() throws Exception {
        SoftTpm tpm = new SoftTpm();
        JsonNode p = TestVerifier.startEnrollment(v.http, v.server.url(), "twin-p", tpm);
        JsonNode q = TestVerifier.startEnrollment(v.http, v.server.url(), "twin-q", tpm);
        assertEquals(200, TestVerifier.activate(v.http, v.server.url(), "twin-p", tpm, p).status());
        assertError(409, "EK_IN_USE", TestVerifier.activate(v.http, v.server.url(), "twin-q", tpm, q));
        assertError(409, "NODE_NOT_ENROLLED", v.post("/v1/nodes/twin-q/challenge", null));
    }

    @Test
    void aRevokedTpmStaysOutUnderEveryId() throws Exception {
        SoftTpm tpm = new SoftTpm();
        v.enroll("bad-r", tpm);
        assertEquals(200, v.admin("POST", "/v1/nodes/bad-r/revoke", null).status());
        assertError(409, "EK_IN_USE", enroll("bad-s", tpm));
        assertError(409, "NODE_REVOKED", v.admin("POST", "/v1/nodes/bad-r/retire", null));
        assertError(403, "NODE_REVOKED", enroll("bad-r", tpm));
    }
}
