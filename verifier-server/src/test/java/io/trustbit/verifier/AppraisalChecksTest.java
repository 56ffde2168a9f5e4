package io.trustbit.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.trustbit.attest.tpm2.PcrSelection;
import io.trustbit.attest.tpm2.TpmaObject;
import io.trustbit.measure.HashAlg;
import io.trustbit.measure.LaunchType;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verifier end to end on a real TLS server: the affirming path, then one test per check, each crafting
 * one bad piece of evidence and expecting {@code contraindicated} with that check's reason.
 */
class AppraisalChecksTest {
    @TempDir
    static Path dir;
    static TestVerifier v;
    static final AtomicInteger NODES = new AtomicInteger();
    static final DrtmChain CHAIN = new DrtmChain();
    static final byte[] KERNEL_SIGNER = HashAlg.SHA256.digest("kernel signer".getBytes());

    @BeforeAll
    static void start() throws Exception {
        v = TestVerifier.start(dir, b -> { });
        v.policy("test.yaml", CHAIN.policyYaml("test", false));
        v.policy("emulated-ok.yaml", CHAIN.policyYaml("emulated-ok", true));
        v.policy("dma-required.yaml", CHAIN.policyYaml("dma-required", false, true));
        // the same, with Linux guests held to their own signer (KERNEL_SIGNER, minimum 5), written as
        // `trustbit policy from-build --linux-signer` writes it
        v.policy("linux-kernels.yaml", new PolicyYaml().id("linux-kernels").maxEvidenceAgeSeconds(120)
                .slb(List.of(HashAlg.SHA256.digest(CHAIN.slb))).vmm(List.of(HashAlg.SHA256.digest(CHAIN.vmm)))
                .launchConfig(List.of(HashAlg.SHA256.digest(CHAIN.launchConfig)))
                .signer(CHAIN.signerKeyId, 2).linuxSigner(KERNEL_SIGNER, 5).toYaml());
        v.server.getClass(); // policies are read at start and every 2 s; force a read now
        reload();
    }

    static void reload() throws Exception {
        for (int i = 0; i < 50; i++) {
            TestVerifier.Reply r = v.admin("GET", "/v1/policies", null);
            if (r.json().get("policies").size() >= 4) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("policies not loaded");
    }

    @AfterAll
    static void stop() {
        v.close();
    }

    /** A freshly enrolled node with its own software TPM. */
    static final class Node {
        final String id = "node-" + NODES.incrementAndGet();
        final SoftTpm tpm = new SoftTpm();
        DrtmChain chain = CHAIN;

        Node() throws Exception {
            v.enroll(id, tpm);
        }

        SoftTpm.Quote quote(byte[] nonce) {
            return tpm.new Quote(nonce, SoftTpm.sha256(DrtmChain.drtmPcrs()), chain.pcrs());
        }

        JsonNode send(Consumer<SoftTpm.Quote> breakQuote) throws Exception {
            byte[] nonce = v.challenge(id);
            SoftTpm.Quote q = quote(nonce);
            breakQuote.accept(q);
            byte[] attest = q.attest();
            return send(TestVerifier.evidence(id, tpm, nonce, attest, q.signature(attest), chain.pcrs(), chain.eventLog()));
        }

        JsonNode send(byte[] evidence) throws Exception {
            TestVerifier.Reply r = v.postEvidence(id, evidence);
            assertEquals(200, r.status(), r.text());
            return r.json();
        }
    }

    static void assertContraindicated(JsonNode verdict, String check) {
        assertEquals("contraindicated", verdict.get("status").asText(), verdict.toString());
        boolean found = false;
        for (JsonNode r : verdict.get("reasons")) {
            found |= r.get("check").asText().equals(check);
        }
        assertTrue(found, "expected a reason '" + check + "' in " + verdict);
    }

    @Test
    void goodEvidenceIsAffirmingAndTheVerdictVerifiesAgainstTheJwks() throws Exception {
        Node n = new Node();
        JsonNode verdict = n.send(q -> { });
        assertEquals("affirming", verdict.get("status").asText(), verdict.toString());
        assertEquals(0, verdict.get("reasons").size());
        // every check of the appraisal ran (this policy sets SLB, VMM, launch configuration and signers)
        List<String> ran = new java.util.ArrayList<>();
        verdict.get("checked").forEach(c -> ran.add(c.asText()));
        assertEquals(List.of("evidence.node", "nonce", "evidence.ak", "evidence.age", "quote.magic", "quote.type",
                "quote.signature", "clock.safe", "quote.signer", "pcrs.selection", "pcrs.digest", "eventlog.drtm",
                "policy.pcr17", "policy.slb", "policy.vmm", "policy.launch-type", "policy.launch-config",
                "policy.guest", "clock.counters"), ran);
        VerdictVerifier.Verified checked = VerdictVerifier.fromJwks(v.jwks())
                .verify(verdict.get("verdict").asText(), Instant.now());
        assertTrue(checked.affirming());
        assertEquals(n.id, checked.nodeId());
        assertEquals("test", checked.policyId());
        assertTrue(checked.policyDigest().startsWith("sha256:"));
        JsonNode node = v.admin("GET", "/v1/nodes/" + n.id, null).json();
        assertTrue(node.get("trusted").asBoolean(), node.toString());
        assertEquals(1, node.get("history").size());
    }

    @Test
    void tamperedVerdictDoesNotVerify() throws Exception {
        Node n = new Node();
        String token = n.send(q -> { }).get("verdict").asText();
        String[] p = token.split("\\.");
        String forged = p[0] + "." + p[1].substring(0, p[1].length() - 2) + "AA." + p[2];
        VerdictVerifier jwks = VerdictVerifier.fromJwks(v.jwks());
        org.junit.jupiter.api.Assertions.assertThrows(VerdictException.class, () -> jwks.verify(forged, Instant.now()));
    }

    @Test
    void wrongMagic() throws Exception {
        JsonNode verdict = new Node().send(q -> q.magic = 0xFF544348);
        assertContraindicated(verdict, "quote.magic");
        // the appraisal stopped at the unreadable quote: nothing after it is reported as checked
        assertTrue(verdict.get("checked").toString().endsWith("\"quote.magic\",\"quote.type\"]"), verdict.toString());
    }

    @Test
    void wrongType() throws Exception {
        assertContraindicated(new Node().send(q -> q.type = 0x8014), "quote.type");
    }

    @Test
    void signatureByAnotherKey() throws Exception {
        assertContraindicated(new Node().send(q -> q.signingKey = SoftTpm.p256().getPrivate()), "quote.signature");
    }

    @Test
    void sha1Downgrade() throws Exception {
        assertContraindicated(new Node().send(q -> q.signatureHash = HashAlg.SHA1), "quote.signature");
    }

    @Test
    void foreignQualifiedSigner() throws Exception {
        byte[] other = new SoftTpm().qualifiedName();
        assertContraindicated(new Node().send(q -> q.qualifiedSigner = other), "quote.signer");
    }

    @Test
    void qualifiedSignerThatIsOnlyTheAkNameIsRefused() throws Exception {
        Node n = new Node();
        byte[] plainName = n.tpm.akName();
        assertContraindicated(n.send(q -> q.qualifiedSigner = plainName), "quote.signer");
    }

    @Test
    void replayedNonce() throws Exception {
        Node n = new Node();
        byte[] nonce = v.challenge(n.id);
        SoftTpm.Quote q = n.quote(nonce);
        byte[] attest = q.attest();
        byte[] ev = TestVerifier.evidence(n.id, n.tpm, nonce, attest, q.signature(attest), CHAIN.pcrs(), CHAIN.eventLog());
        assertEquals("affirming", n.send(ev).get("status").asText());
        assertContraindicated(n.send(ev), "nonce");
    }

    @Test
    void unknownNonce() throws Exception {
        Node n = new Node();
        byte[] nonce = new byte[32];
        new java.security.SecureRandom().nextBytes(nonce);
        SoftTpm.Quote q = n.quote(nonce);
        byte[] attest = q.attest();
        assertContraindicated(n.send(TestVerifier.evidence(n.id, n.tpm, nonce, attest, q.signature(attest), CHAIN.pcrs(),
                CHAIN.eventLog())), "nonce");
    }

    @Test
    void nonceIssuedToAnotherNode() throws Exception {
        Node a = new Node();
        Node b = new Node();
        byte[] nonce = v.challenge(a.id);
        SoftTpm.Quote q = b.quote(nonce);
        byte[] attest = q.attest();
        assertContraindicated(b.send(TestVerifier.evidence(b.id, b.tpm, nonce, attest, q.signature(attest), CHAIN.pcrs(),
                CHAIN.eventLog())), "nonce");
    }

    @Test
    void extraDataIsNotTheNonce() throws Exception {
        assertContraindicated(new Node().send(q -> q.extraData = new byte[32]), "nonce");
    }

    @Test
    void pcrSelectionRelabelled() throws Exception {
        // the quote signs PCRs 16, 18, 19; the evidence supplies 17, 18, 19 with the same values
        Node n = new Node();
        byte[] nonce = v.challenge(n.id);
        Map<Integer, byte[]> signedValues = new TreeMap<>(CHAIN.pcrs().get(HashAlg.SHA256));
        signedValues.put(16, signedValues.remove(17));
        SoftTpm.Quote q = n.tpm.new Quote(nonce, SoftTpm.sha256(List.of(16, 18, 19)), Map.of(HashAlg.SHA256, signedValues));
        byte[] attest = q.attest();
        assertContraindicated(n.send(TestVerifier.evidence(n.id, n.tpm, nonce, attest, q.signature(attest), CHAIN.pcrs(),
                CHAIN.eventLog())), "pcrs.selection");
    }

    @Test
    void policyPcrMissingFromQuote() throws Exception {
        Node n = new Node();
        byte[] nonce = v.challenge(n.id);
        Map<Integer, byte[]> values = new TreeMap<>(CHAIN.pcrs().get(HashAlg.SHA256));
        values.remove(19);
        SoftTpm.Quote q = n.tpm.new Quote(nonce, SoftTpm.sha256(List.of(17, 18)), Map.of(HashAlg.SHA256, values));
        byte[] attest = q.attest();
        JsonNode verdict = n.send(TestVerifier.evidence(n.id, n.tpm, nonce, attest, q.signature(attest),
                Map.of(HashAlg.SHA256, values), CHAIN.eventLog()));
        assertContraindicated(verdict, "pcrs.selection");
        assertTrue(verdict.toString().contains("[19]"), verdict.toString());
    }

    @Test
    void wrongPcrDigest() throws Exception {
        assertContraindicated(new Node().send(q -> q.pcrDigest = new byte[32]), "pcrs.digest");
    }

    @Test
    void suppliedValueDiffersFromTheSignedDigest() throws Exception {
        Node n = new Node();
        byte[] nonce = v.challenge(n.id);
        SoftTpm.Quote q = n.quote(nonce);
        byte[] attest = q.attest();
        Map<Integer, byte[]> lie = new TreeMap<>(CHAIN.pcrs().get(HashAlg.SHA256));
        lie.put(18, new byte[32]);
        assertContraindicated(n.send(TestVerifier.evidence(n.id, n.tpm, nonce, attest, q.signature(attest),
                Map.of(HashAlg.SHA256, lie), CHAIN.eventLog())), "pcrs.digest");
    }

    @Test
    void tamperedEventLog() throws Exception {
        Node n = new Node();
        byte[] nonce = v.challenge(n.id);
        SoftTpm.Quote q = n.quote(nonce);
        byte[] attest = q.attest();
        DrtmChain other = new DrtmChain();
        other.vmm = "a different VMM".getBytes();
        assertContraindicated(n.send(TestVerifier.evidence(n.id, n.tpm, nonce, attest, q.signature(attest), CHAIN.pcrs(),
                other.eventLog())), "eventlog.drtm");
    }

    @Test
    void eventLogByteFlipped() throws Exception {
        Node n = new Node();
        byte[] nonce = v.challenge(n.id);
        SoftTpm.Quote q = n.quote(nonce);
        byte[] attest = q.attest();
        byte[] log = CHAIN.eventLog();
        log[log.length - 40] ^= 1; // inside the last guest record's data: its digest no longer matches
        JsonNode verdict = n.send(TestVerifier.evidence(n.id, n.tpm, nonce, attest, q.signature(attest), CHAIN.pcrs(), log));
        assertEquals("contraindicated", verdict.get("status").asText(), verdict.toString());
    }

    @Test
    void resetCountGoingBackwards() throws Exception {
        Node n = new Node();
        assertEquals("affirming", n.send(q -> q.reset = 10).get("status").asText());
        assertContraindicated(n.send(q -> q.reset = 9), "clock.counters");
    }

    @Test
    void restartCountGoingBackwards() throws Exception {
        Node n = new Node();
        assertEquals("affirming", n.send(q -> { q.reset = 10; q.restart = 5; }).get("status").asText());
        assertContraindicated(n.send(q -> { q.reset = 10; q.restart = 4; }), "clock.counters");
        assertEquals("affirming", n.send(q -> { q.reset = 11; q.restart = 0; }).get("status").asText());
    }

    @Test
    void clockNotSafe() throws Exception {
        assertContraindicated(new Node().send(q -> q.safe = 0), "clock.safe");
    }

    @Test
    void emulatedLaunchUnderAPolicyThatRequiresSkinit() throws Exception {
        Node n = new Node();
        DrtmChain emulated = new DrtmChain();
        emulated.launchType = LaunchType.EMULATED;
        n.chain = emulated;
        assertContraindicated(n.send(q -> { }), "policy.launch-type");
        assertEquals(200, v.admin("PUT", "/v1/nodes/" + n.id + "/policy", Map.of("policyId", "emulated-ok")).status());
        assertEquals("affirming", n.send(q -> { }).get("status").asText());
    }

    @Test
    void launchWithoutDmaProtectionUnderAPolicyThatRequiresIt() throws Exception {
        Node n = new Node();
        assertEquals(200, v.admin("PUT", "/v1/nodes/" + n.id + "/policy", Map.of("policyId", "dma-required")).status());
        JsonNode protectedLaunch = n.send(q -> { });
        assertEquals("affirming", protectedLaunch.get("status").asText(), protectedLaunch.toString());
        assertTrue(protectedLaunch.get("checked").toString().contains("\"policy.dma-protection\""), protectedLaunch.toString());
        DrtmChain none = new DrtmChain();
        none.dma = io.trustbit.measure.DmaProtection.NONE;
        n.chain = none;
        JsonNode verdict = n.send(q -> { });
        assertContraindicated(verdict, "policy.dma-protection");
        assertTrue(verdict.get("reasons").toString().contains("dma-protection=none"), verdict.toString());
        DrtmChain missing = new DrtmChain();
        missing.dma = null;
        n.chain = missing;
        assertContraindicated(n.send(q -> { }), "policy.dma-protection");
    }

    @Test
    void launchWithoutDmaProtectionUnderAPolicyThatDoesNotRequireIt() throws Exception {
        Node n = new Node();
        DrtmChain none = new DrtmChain();
        none.dma = io.trustbit.measure.DmaProtection.NONE;
        n.chain = none;
        JsonNode verdict = n.send(q -> { });
        assertEquals("affirming", verdict.get("status").asText(), verdict.toString());
        assertTrue(!verdict.get("checked").toString().contains("policy.dma-protection"), verdict.toString());
    }

    @Test
    void unmeasuredLaunchIsNeverAccepted() throws Exception {
        Node n = new Node();
        DrtmChain unmeasured = new DrtmChain();
        unmeasured.launchType = LaunchType.UNMEASURED;
        n.chain = unmeasured;
        assertEquals(200, v.admin("PUT", "/v1/nodes/" + n.id + "/policy", Map.of("policyId", "emulated-ok")).status());
        assertContraindicated(n.send(q -> { }), "policy.launch-type");
    }

    @Test
    void guestBelowMinimumSecurityVersion() throws Exception {
        Node n = new Node();
        DrtmChain old = new DrtmChain();
        old.guestSecurityVersion = 1;
        n.chain = old;
        assertContraindicated(n.send(q -> { }), "policy.guest");
    }

    /** Without guests.linuxSigners a Linux guest answers to guests.signers; with them, to them alone. */
    @Test
    void linuxGuestsAnswerToTheirOwnSignersWhenThePolicyHasThem() throws Exception {
        DrtmChain linux = new DrtmChain();
        linux.linuxGuest = true;
        Node n = new Node();
        n.chain = linux;
        assertEquals("affirming", n.send(q -> { }).get("status").asText());

        Node k = new Node();
        assertEquals(200, v.admin("PUT", "/v1/nodes/" + k.id + "/policy", Map.of("policyId", "linux-kernels")).status());
        assertEquals("affirming", k.send(q -> { }).get("status").asText(), "a flat guest still answers to signers");
        k.chain = linux;
        assertContraindicated(k.send(q -> { }), "policy.guest");     // the guest signer is not a kernel signer
        DrtmChain kernel = new DrtmChain();
        kernel.linuxGuest = true;
        kernel.signerKeyId = KERNEL_SIGNER;
        kernel.guestSecurityVersion = 5;
        k.chain = kernel;
        assertEquals("affirming", k.send(q -> { }).get("status").asText());
        DrtmChain rolledBack = new DrtmChain();
        rolledBack.linuxGuest = true;
        rolledBack.signerKeyId = KERNEL_SIGNER;
        rolledBack.guestSecurityVersion = 4;
        k.chain = rolledBack;
        assertContraindicated(k.send(q -> { }), "policy.guest");
    }

    @Test
    void refusedGuestIsAWarning() throws Exception {
        Node n = new Node();
        DrtmChain refused = new DrtmChain();
        refused.refusedGuest = true;
        n.chain = refused;
        JsonNode verdict = n.send(q -> { });
        assertEquals("warning", verdict.get("status").asText(), verdict.toString());
    }

    @Test
    void unknownVmm() throws Exception {
        Node n = new Node();
        DrtmChain other = new DrtmChain();
        other.vmm = "unknown VMM".getBytes();
        n.chain = other;
        assertContraindicated(n.send(q -> { }), "policy.vmm");
    }

    @Test
    void evidenceWithAnotherAk() throws Exception {
        Node n = new Node();
        SoftTpm stranger = new SoftTpm();
        byte[] nonce = v.challenge(n.id);
        SoftTpm.Quote q = stranger.new Quote(nonce, SoftTpm.sha256(DrtmChain.drtmPcrs()), CHAIN.pcrs());
        byte[] attest = q.attest();
        JsonNode verdict = n.send(TestVerifier.evidence(n.id, stranger, nonce, attest, q.signature(attest), CHAIN.pcrs(),
                CHAIN.eventLog()));
        assertContraindicated(verdict, "evidence.ak");
        assertContraindicated(verdict, "quote.signature");
    }

    @Test
    void oversizedEventLogIsReportedByTheEventLogCheck() throws Exception {
        Node n = new Node();
        byte[] nonce = v.challenge(n.id);
        SoftTpm.Quote q = n.quote(nonce);
        byte[] attest = q.attest();
        byte[] log = java.util.Arrays.copyOf(CHAIN.eventLog(), 1024 * 1024 + 4096); // over limits.maxEventLogBytes
        JsonNode verdict = n.send(TestVerifier.evidence(n.id, n.tpm, nonce, attest, q.signature(attest), CHAIN.pcrs(), log));
        assertContraindicated(verdict, "eventlog.drtm");
        assertTrue(verdict.toString().contains("event log exceeds 1048576 bytes"), verdict.toString());
        assertTrue(verdict.path("authenticated").asBoolean(), "the quote is the node's: " + verdict);
    }

    @Test
    void malformedEvidenceIsRefusedWithoutASignedVerdict() throws Exception {
        JsonNode answer = new Node().send("{\"version\":1,".getBytes());
        assertContraindicated(answer, "evidence.format");
        assertFalse(answer.has("verdict"), answer.toString());
    }

    @Test
    void revokedNodeIsContraindicatedAndCannotReEnroll() throws Exception {
        Node n = new Node();
        byte[] nonce = v.challenge(n.id);
        assertEquals(200, v.admin("POST", "/v1/nodes/" + n.id + "/revoke", null).status());
        SoftTpm.Quote q = n.quote(nonce);
        byte[] attest = q.attest();
        assertContraindicated(n.send(TestVerifier.evidence(n.id, n.tpm, nonce, attest, q.signature(attest), CHAIN.pcrs(),
                CHAIN.eventLog())), "node.revoked");
        assertEquals(409, v.post("/v1/nodes/" + n.id + "/challenge", null).status());
        TestVerifier.Reply r = v.post("/v1/nodes/" + n.id + "/enroll", java.util.Map.of("ekPublic",
                TestVerifier.b64(n.tpm.ekPublic()), "akPublic", TestVerifier.b64(n.tpm.akPublic())));
        assertEquals(403, r.status(), r.text());
    }

    // ---- enrollment ----

    @Test
    void akWithoutFixedTpmIsRefused() throws Exception {
        SoftTpm tpm = new SoftTpm();
        tpm.akAttributes &= ~TpmaObject.FIXED_TPM;
        TestVerifier.Reply r = v.post("/v1/nodes/no-fixed-tpm/enroll", Map.of("ekPublic", TestVerifier.b64(tpm.ekPublic()),
                "akPublic", TestVerifier.b64(tpm.akPublic())));
        assertEquals(400, r.status(), r.text());
        assertEquals("AK_ATTRIBUTES", r.json().get("error").get("code").asText());
        assertTrue(r.json().get("error").get("message").asText().contains("fixedTPM"), r.text());
    }

    @Test
    void reEnrollmentWithAnotherEkIsRefused() throws Exception {
        Node n = new Node();
        SoftTpm other = new SoftTpm();
        TestVerifier.Reply r = v.post("/v1/nodes/" + n.id + "/enroll", Map.of("ekPublic", TestVerifier.b64(other.ekPublic()),
                "akPublic", TestVerifier.b64(other.akPublic())));
        assertEquals(409, r.status(), r.text());
        assertEquals("EK_MISMATCH", r.json().get("error").get("code").asText());
        // the same TPM may enroll again (a new AK)
        n.tpm.ak.getClass();
        v.enroll(n.id, n.tpm);
    }

    @Test
    void wrongActivationSecretIsRefusedWithoutLeakingTheSecret() throws Exception {
        SoftTpm tpm = new SoftTpm();
        TestVerifier.Reply r = v.post("/v1/nodes/wrong-secret/enroll", Map.of("ekPublic", TestVerifier.b64(tpm.ekPublic()),
                "akPublic", TestVerifier.b64(tpm.akPublic())));
        assertEquals(200, r.status());
        byte[] secret = tpm.activate(java.util.Base64.getDecoder().decode(r.json().get("credentialBlob").asText()),
                java.util.Base64.getDecoder().decode(r.json().get("encryptedSecret").asText()));
        byte[] wrong = secret.clone();
        wrong[0] ^= 1;
        TestVerifier.Reply a = v.post("/v1/nodes/wrong-secret/activate", Map.of("challengeId",
                r.json().get("challengeId").asText(), "secret", TestVerifier.b64(wrong)));
        assertEquals(403, a.status());
        String hex = HexFormat.of().formatHex(secret);
        assertFalse(a.text().contains(hex) || a.text().contains(TestVerifier.b64(secret)), a.text());
        // the challenge is used up: the right secret no longer helps
        TestVerifier.Reply again = v.post("/v1/nodes/wrong-secret/activate", Map.of("challengeId",
                r.json().get("challengeId").asText(), "secret", TestVerifier.b64(secret)));
        assertEquals(400, again.status());
        assertEquals(409, v.post("/v1/nodes/wrong-secret/challenge", null).status());
    }

    // ---- admin ----

    @Test
    void adminEndpointsRefuseRequestsWithoutTheToken() throws Exception {
        Node n = new Node();
        for (String[] call : new String[][] {{"GET", "/v1/nodes"}, {"GET", "/v1/nodes/" + n.id},
                {"POST", "/v1/nodes/" + n.id + "/revoke"}, {"GET", "/v1/policies"}, {"GET", "/v1/policies/test"},
                {"PUT", "/v1/nodes/" + n.id + "/policy"}, {"PUT", "/v1/nodes/" + n.id + "/group"},
                {"PUT", "/v1/groups/g1/policy"}, {"GET", "/metrics"}}) {
            for (String token : new String[] {null, "wrong-token", v.server.adminToken() + "x"}) {
                TestVerifier.Reply r = v.call(call[0], call[1], call[0].equals("GET") ? null : Map.of("policyId", "test"), token);
                assertEquals(401, r.status(), call[0] + " " + call[1] + " with " + token);
                assertEquals("UNAUTHORIZED", r.json().get("error").get("code").asText());
            }
        }
        assertEquals(200, v.call("GET", "/v1/health", null, null).status());
        assertEquals(200, v.call("GET", "/.well-known/jwks.json", null, null).status());
        TestVerifier.Reply metrics = v.admin("GET", "/metrics", null);
        assertEquals(200, metrics.status());
        assertTrue(metrics.text().contains("trustbit_verdicts_total"), metrics.text());
    }

    /** RFC 7235 §2.1: the auth-scheme is case-insensitive; one or more spaces precede the token. */
    @Test
    void bearerSchemeMatchesCaseInsensitively() throws Exception {
        for (String scheme : new String[] {"Bearer ", "bearer ", "BEARER ", "bEaReR  "}) {
            java.net.http.HttpResponse<String> r = v.http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(v.server.url() + "/v1/nodes")).header("Authorization", scheme
                    + v.server.adminToken()).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), "'" + scheme + "': " + r.body());
        }
        for (String header : new String[] {"Basic " + v.server.adminToken(), "Bearer" + v.server.adminToken(),
                v.server.adminToken()}) {
            java.net.http.HttpResponse<String> r = v.http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(v.server.url() + "/v1/nodes")).header("Authorization", header).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(401, r.statusCode(), header);
        }
    }

    @Test
    void groupPolicyApplies() throws Exception {
        Node n = new Node();
        DrtmChain emulated = new DrtmChain();
        emulated.launchType = LaunchType.EMULATED;
        n.chain = emulated;
        assertEquals(200, v.admin("PUT", "/v1/groups/lab/policy", Map.of("policyId", "emulated-ok")).status());
        assertEquals(200, v.admin("PUT", "/v1/nodes/" + n.id + "/group", Map.of("group", "lab")).status());
        assertEquals("affirming", n.send(q -> { }).get("status").asText());
    }

    /**
     * A body whose declared length is over the limit is refused before any of it is read. Only the head is
     * sent: a client still writing a 5 MiB body when the server answers and closes can lose the answer to the
     * connection reset, which is TCP's doing, not the server's.
     */
    @Test
    void oversizedBodyIsRefusedFromItsDeclaredLength() throws Exception {
        assertEquals(413, v.statusOfHead("POST /v1/nodes/x/evidence HTTP/1.1\r\nHost: verifier\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + 5 * 1024 * 1024 + "\r\n\r\n"));
        assertEquals(413, v.statusOfHead("POST /v1/nodes/x/evidence HTTP/1.1\r\nHost: verifier\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + (4 * 1024 * 1024 + 1) + "\r\n\r\n"));
    }
}
