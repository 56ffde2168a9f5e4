package io.trustbit.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.trustbit.attest.AkLocation;
import io.trustbit.attest.AkType;
import io.trustbit.attest.AttestationTpm;
import io.trustbit.attest.EkType;
import io.trustbit.measure.LaunchType;
import io.trustbit.measure.LmsSigningKey;
import io.trustbit.measure.SigningKey;
import io.trustbit.testkit.Swtpm;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signer rotation and revocation end to end, with two real TPMs (swtpm) and the real verifier: guests of the old
 * and the new signer are affirming while both are trusted; once the policy retires the old signer (with a
 * reason) and raises the fleet's minimum security version, the node list names the node still running an old
 * guest and why its next attestation fails, which it then does; a rolled-back security version is refused; and
 * a policy listing only an LMS signer accepts the LMS-signed guest and not an Ed25519-signed one.
 */
class SignerRotationTest {
    @TempDir
    Path dir;
    AttestationTpm a;
    AttestationTpm b;

    @Test
    void retiredSignerAndRaisedMinimumContraindicateAndTheNodeListSaysSoBeforehand() throws Exception {
        String oldKey = SigningKey.generate().publicKey().keyIdHex();
        String newKey = SigningKey.generate().publicKey().keyIdHex();
        String lmsKey = LmsSigningKey.generate(dir.resolve("pq.key"), 5, 4).publicKey().keyIdHex();
        DrtmChain oldGuest = chain(oldKey, 3);
        DrtmChain newGuest = chain(newKey, 5);
        String reason = "leaked on 2026-12-01, incident INC-7";
        try (Swtpm t1 = Swtpm.start(dir.resolve("swtpm1")); Swtpm t2 = Swtpm.start(dir.resolve("swtpm2"));
                TestVerifier v = TestVerifier.start(dir.resolve("verifier"), b -> { })) {
            v.policy("rotating.yaml", policy(oldGuest, "rotating", "  signers:\n"
                    + "    - {keyId: \"" + oldKey + "\", minSecurityVersion: 2}\n"
                    + "    - {keyId: \"" + newKey + "\", minSecurityVersion: 2}\n"));
            v.policy("rotated.yaml", policy(oldGuest, "rotated", "  signers:\n"
                    + "    - {keyId: \"" + newKey + "\", minSecurityVersion: 2}\n"
                    + "  retiredSigners:\n    - {keyId: \"" + oldKey + "\", reason: \"" + reason + "\"}\n"
                    + "  minSecurityVersion: 4\n"));
            v.policy("lms-only.yaml", policy(oldGuest, "lms-only", "  signers:\n"
                    + "    - {keyId: \"" + lmsKey + "\", minSecurityVersion: 1}\n"));
            Thread.sleep(2500); // hot reload picks the policies up
            SwtpmFlowTest.measure(t1.port(), oldGuest);
            SwtpmFlowTest.measure(t2.port(), newGuest);
            // swtpm serves one connection at a time: the agents' connections are closed while a launch is measured
            a = AttestationTpm.open("swtpm:127.0.0.1:" + t1.port());
            b = AttestationTpm.open("swtpm:127.0.0.1:" + t2.port());
            AkLocation la = SwtpmFlowTest.enroll(v, a, dir.resolve("ak1"), "node-old", AkType.ECC_P256, EkType.ECC);
            AkLocation lb = SwtpmFlowTest.enroll(v, b, dir.resolve("ak2"), "node-new", AkType.ECC_P256, EkType.ECC);
            assign(v, "rotating");

            // during the rotation the launch configuration and the policy trust both signers
            assertEquals("affirming", status(SwtpmFlowTest.attest(v, a, la, "node-old", oldGuest)));
            assertEquals("affirming", status(SwtpmFlowTest.attest(v, b, lb, "node-new", newGuest)));
            assertTrue(nextFails(v, "node-old").isEmpty(), nextFails(v, "node-old").toString());

            // the old key is retired and the fleet's minimum raised: the node list says who fails next, and why
            assign(v, "rotated");
            JsonNode pending = nextFails(v, "node-old");
            assertEquals(1, pending.size(), pending.toString());
            assertEquals("policy.signer-retired", pending.get(0).get("check").asText());
            assertTrue(pending.get(0).get("detail").asText().contains(oldKey + " is retired: " + reason), pending.toString());
            assertTrue(nextFails(v, "node-new").isEmpty(), nextFails(v, "node-new").toString());

            JsonNode retired = SwtpmFlowTest.attest(v, a, la, "node-old", oldGuest);
            assertEquals("contraindicated", status(retired), retired.toString());
            assertTrue(retired.get("reasons").toString().contains("is retired: " + reason), retired.toString());
            assertEquals("affirming", status(SwtpmFlowTest.attest(v, b, lb, "node-new", newGuest)));

            // node-old reboots into the new signer's guest, but a rolled-back one (3, below the fleet's 4): refused
            DrtmChain rolledBack = chain(newKey, 3);
            reboot(t1, rolledBack);
            JsonNode rollback = SwtpmFlowTest.attest(v, a, la, "node-old", rolledBack);
            assertEquals("contraindicated", status(rollback), rollback.toString());
            assertTrue(rollback.get("reasons").toString().contains("security version 3 is below the fleet minimum 4"),
                    rollback.toString());
            JsonNode stillPending = nextFails(v, "node-old");
            assertTrue(stillPending.toString().contains("below the fleet minimum 4"), stillPending.toString());

            // an LMS-only policy: the LMS-signed guest is accepted, the Ed25519-signed one is not
            assign(v, "lms-only");
            DrtmChain lmsGuest = chain(lmsKey, 1);
            reboot(t1, lmsGuest);
            assertEquals("affirming", status(SwtpmFlowTest.attest(v, a, la, "node-old", lmsGuest)));
            assertTrue(nextFails(v, "node-old").isEmpty());
            JsonNode ed = SwtpmFlowTest.attest(v, b, lb, "node-new", newGuest);
            assertEquals("contraindicated", status(ed), ed.toString());
            assertTrue(ed.get("reasons").toString().contains(newKey + " is not allowed"), ed.toString());
            assertFalse(nextFails(v, "node-new").isEmpty(), "the node list shows the Ed25519 guest failing too");
        } finally {
            close(a);
            close(b);
        }
    }

    /** node-old's machine boots again with {@code chain}'s guest: a new DRTM launch measured into its TPM. */
    private void reboot(Swtpm t, DrtmChain chain) throws Exception {
        close(a);
        a = null;
        SwtpmFlowTest.measure(t.port(), chain);
        a = AttestationTpm.open("swtpm:127.0.0.1:" + t.port());
    }

    private static void close(AttestationTpm tpm) throws java.io.IOException {
        if (tpm != null) {
            tpm.close();
        }
    }

    private static DrtmChain chain(String signerKeyId, long securityVersion) {
        DrtmChain c = new DrtmChain();
        c.launchType = LaunchType.SKINIT;
        c.signerKeyId = HexFormat.of().parseHex(signerKeyId);
        c.guestSecurityVersion = securityVersion;
        return c;
    }

    /** The chain's policy (launch measurements only; the guest signers do not change them) with {@code guests}. */
    private static String policy(DrtmChain chain, String id, String guests) {
        String yaml = chain.policyYaml(id, false);
        return yaml.substring(0, yaml.indexOf("guests:\n")) + "guests:\n" + guests + "maxEvidenceAgeSeconds: 120\n";
    }

    private static void assign(TestVerifier v, String policyId) throws Exception {
        for (String node : new String[] {"node-old", "node-new"}) {
            assertEquals(200, v.admin("PUT", "/v1/nodes/" + node + "/policy", Map.of("policyId", policyId)).status());
        }
    }

    private static String status(JsonNode answer) {
        return answer.get("status").asText();
    }

    /** The node list's nextAttestationFails of {@code node} (an empty array when absent). */
    private static JsonNode nextFails(TestVerifier v, String node) throws Exception {
        TestVerifier.Reply r = v.admin("GET", "/v1/nodes", null);
        assertEquals(200, r.status(), r.text());
        for (JsonNode n : r.json().get("nodes")) {
            if (n.get("nodeId").asText().equals(node)) {
                return n.has("nextAttestationFails") ? n.get("nextAttestationFails")
                        : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
            }
        }
        throw new AssertionError(node + " is not in the node list: " + r.text());
    }
}
