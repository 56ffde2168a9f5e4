package io.trustbit.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.trustbit.attest.Agent;
import io.trustbit.attest.AkLocation;
import io.trustbit.attest.AkType;
import io.trustbit.attest.AttestationResult;
import io.trustbit.attest.AttestationTpm;
import io.trustbit.attest.EkType;
import io.trustbit.attest.Endorsement;
import io.trustbit.attest.EventLogKind;
import io.trustbit.attest.Evidence;
import io.trustbit.attest.EvidenceCodec;
import io.trustbit.attest.NodeId;
import io.trustbit.attest.Quote;
import io.trustbit.attest.VerifierTrust;
import io.trustbit.attest.tpm2.PcrSelection;
import io.trustbit.attest.tpm2.TpmtPublic;
import io.trustbit.measure.HashAlg;
import io.trustbit.measure.LaunchType;
import io.trustbit.testkit.Swtpm;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The whole protocol with a real TPM (swtpm): the DRTM measurements are put into PCRs 17–19 the way the
 * chain does it (CMD_HASH_START/DATA/END at locality 4 for the SLB, TPM2_PCR_Extend at locality 2 for the
 * rest), then attest's AttestationTpm enrolls, activates the credential and quotes against a real verifier.
 */
class SwtpmFlowTest {
    @TempDir
    Path dir;
    Swtpm swtpm;

    @AfterEach
    void stopSwtpm() {
        if (swtpm != null) {
            swtpm.close();
        }
    }

    /** Both key families the agent offers: an ECC P-256 AK under the ECC EK, an RSA 2048 AK under the RSA EK. */
    @ParameterizedTest(name = "AK {0}, EK {1}")
    @CsvSource({"ECC_P256, ECC", "RSA_2048, RSA"})
    void enrollChallengeEvidenceOnSwtpmIsAffirmingAndALogThatLiesIsNot(AkType akType, EkType ekType) throws Exception {
        int port = startSwtpm();
        DrtmChain chain = new DrtmChain();
        chain.launchType = LaunchType.SKINIT;
        measure(port, chain);

        try (TestVerifier v = TestVerifier.start(dir.resolve("verifier"), b -> { });
                AttestationTpm tpm = AttestationTpm.open("swtpm:127.0.0.1:" + port)) {
            v.policy("test.yaml", chain.policyYaml("test", false));
            Thread.sleep(2500); // hot reload picks the policy up
            tpm.startup();
            AkLocation loc = AkLocation.stateDir(dir.resolve("ak"));
            Files.createDirectories(dir.resolve("ak"));
            Endorsement ek = tpm.endorsement(ekType);
            TpmtPublic ak = tpm.ak(loc, akType, ekType);
            String node = "swtpm-node";
            TestVerifier.Reply enroll = v.post("/v1/nodes/" + node + "/enroll", Map.of(
                    "ekPublic", TestVerifier.b64(ek.ekPublic().encoded()), "akPublic", TestVerifier.b64(ak.encoded())));
            assertEquals(200, enroll.status(), enroll.text());
            byte[] secret = tpm.activateCredential(loc, akType, ekType,
                    Base64.getDecoder().decode(enroll.json().get("credentialBlob").asText()),
                    Base64.getDecoder().decode(enroll.json().get("encryptedSecret").asText()));
            TestVerifier.Reply act = v.post("/v1/nodes/" + node + "/activate", Map.of("challengeId",
                    enroll.json().get("challengeId").asText(), "secret", TestVerifier.b64(secret)));
            assertEquals(200, act.status(), act.text());

            byte[] nonce = v.challenge(node);
            Quote q = tpm.quote(loc, akType, ekType, nonce, SoftTpm.sha256(DrtmChain.drtmPcrs()));
            byte[] ev = EvidenceCodec.toJson(new Evidence(1, NodeId.of(node), nonce, q.akPublic(), q.attest(), q.signature(),
                    q.pcrs(), Map.of(EventLogKind.DRTM, chain.eventLog()), Instant.now()));
            JsonNode verdict = v.postEvidence(node, ev).json();
            assertEquals("affirming", verdict.get("status").asText(), verdict.toString());
            VerdictVerifier.Verified checked = VerdictVerifier.fromJwks(v.jwks())
                    .verify(verdict.get("verdict").asText(), Instant.now());
            assertTrue(checked.affirming());
            assertEquals(node, checked.nodeId());

            // the same TPM state with a log that claims a different VMM: the replay fails
            DrtmChain lie = new DrtmChain();
            lie.vmm = "another VMM".getBytes(StandardCharsets.US_ASCII);
            byte[] nonce2 = v.challenge(node);
            Quote q2 = tpm.quote(loc, akType, ekType, nonce2, SoftTpm.sha256(DrtmChain.drtmPcrs()));
            JsonNode bad = v.postEvidence(node, EvidenceCodec.toJson(new Evidence(1, NodeId.of(node), nonce2, q2.akPublic(),
                    q2.attest(), q2.signature(), q2.pcrs(), Map.of(EventLogKind.DRTM, lie.eventLog()), Instant.now())))
                    .json();
            assertEquals("contraindicated", bad.get("status").asText(), bad.toString());
            assertTrue(bad.toString().contains("eventlog.drtm"), bad.toString());
        }
    }

    /**
     * The agent uses the next challenge an evidence answer carries instead of asking for one, and when the
     * verifier no longer knows it (here: the nonce rows are gone, as after a restart) attests again once with
     * a fresh challenge, so the round still ends affirming.
     */
    @Test
    void agentUsesTheNextChallengeAndFallsBackWhenItIsRefused() throws Exception {
        int port = startSwtpm();
        DrtmChain chain = new DrtmChain();
        chain.launchType = LaunchType.SKINIT;
        measure(port, chain);
        Path log = dir.resolve("drtm.log");
        Files.write(log, chain.eventLog());
        Files.createDirectories(dir.resolve("verifier/policies"));
        Files.writeString(dir.resolve("verifier/policies/test.yaml"), chain.policyYaml("test", false));
        String url = "jdbc:h2:" + dir.resolve("nonce-table-db").toAbsolutePath();
        // an explicit database URL keeps the nonces in the nonces table, where this test can remove them
        try (TestVerifier v = TestVerifier.start(dir.resolve("verifier"), b -> b.database(url, "sa", ""))) {
            StringWriter out = new StringWriter();
            Agent agent = new Agent(new Agent.Config("swtpm:127.0.0.1:" + port, v.server.url(),
                    VerifierTrust.Fingerprint.parse(v.server.tlsFingerprint()), NodeId.of("agent-node"), dir.resolve("agent"),
                    Duration.ofSeconds(1), PcrSelection.parse("sha256:17-19"), AkType.ECC_P256, Optional.empty(),
                    Optional.of(log)), new PrintWriter(out, true));
            assertEquals("affirming", agent.attestOnce().status(), out.toString());
            assertEquals("affirming", agent.attestOnce().status(), out.toString());
            assertEquals(1, requests(v, "challenge"), "the second round used the piggybacked nonce");
            assertEquals(2, requests(v, "evidence"));

            try (Connection c = DriverManager.getConnection(url, "sa", "");
                    Statement st = c.createStatement()) {
                assertEquals(1, st.executeUpdate("DELETE FROM nonces"));
            }
            AttestationResult third = agent.attestOnce();
            assertEquals("affirming", third.status(), out.toString());
            assertTrue(out.toString().contains("was refused: attesting again with a fresh challenge"), out.toString());
            assertEquals(2, requests(v, "challenge"));
            assertEquals(4, requests(v, "evidence"));
        }
    }

    private static long requests(TestVerifier v, String action) throws Exception {
        String metrics = v.admin("GET", "/metrics", null).text();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("trustbit_http_requests_total\\{method=\"POST\","
                + "route=\"/v1/nodes/\\{nodeId\\}/" + action + "\",status=\"200\"\\} (\\d+)").matcher(metrics);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private int startSwtpm() throws Exception {
        swtpm = Swtpm.start(dir.resolve("swtpm"));
        return swtpm.port();
    }

    /** Puts the chain's measurements into PCRs 17–19 as the CPU, SLB and VMM would. */
    static void measure(int port, DrtmChain chain) throws Exception {
        String ctrl = "127.0.0.1:" + (port + 1);
        // the CPU's part: locality-4 hash of the SLB (resets PCR 17–22 to 0, extends H(SLB) into PCR 17)
        ioctl(ctrl, "-h", new String(chain.slb, StandardCharsets.US_ASCII));
        ioctl(ctrl, "-l", "2");
        extend(port, 17, chain.vmm);
        extend(port, 18, chain.launchType.eventData());
        extend(port, 18, chain.launchConfig);
        if (chain.dma != null) {
            extend(port, 18, chain.dma.eventData());     // the VMM's DMA-protection record
        }
        extend(port, 19, chain.guestRecords().get(0));
        ioctl(ctrl, "-l", "0");
    }

    private static void ioctl(String ctrl, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("swtpm_ioctl", "--tcp", ctrl));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("swtpm_ioctl " + String.join(" ", args) + ": " + out);
        }
    }

    /** TPM2_PCR_Extend (TPM 2.0 Part 3 §22.2) of H(data) in the SHA-1 and SHA-256 banks, password session. */
    private static void extend(int port, int pcr, byte[] data) throws IOException {
        byte[] cmd = new SoftTpm.Bytes()
                .u16(0x8002)                     // tag: TPM_ST_SESSIONS
                .u32(10 + 4 + 4 + 9 + 4 + 2 + 20 + 2 + 32) // commandSize
                .u32(0x00000182)                 // commandCode: TPM_CC_PCR_Extend
                .u32(pcr)                        // pcrHandle
                .u32(9)                          // authorizationSize
                .u32(0x40000009)                 // sessionHandle: TPM_RS_PW
                .u16(0)                          // nonce: empty
                .u8(0)                           // sessionAttributes
                .u16(0)                          // hmac: empty password
                .u32(2)                          // digests.count
                .u16(HashAlg.SHA1.tcgId()).raw(HashAlg.SHA1.digest(data))
                .u16(HashAlg.SHA256.tcgId()).raw(HashAlg.SHA256.digest(data))
                .toByteArray();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(cmd);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            in.readShort();                      // tag
            int size = in.readInt();             // responseSize
            int rc = in.readInt();               // responseCode
            in.readNBytes(Math.max(0, size - 10));
            if (rc != 0) {
                throw new IOException(String.format("PCR_Extend of PCR %d failed: 0x%x", pcr, rc));
            }
        }
    }
}
