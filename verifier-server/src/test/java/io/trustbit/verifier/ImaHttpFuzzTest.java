package io.trustbit.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.attest.ImaTail;
import io.trustbit.measure.HashAlg;
import io.trustbit.measure.ima.ImaHashAlgo;
import io.trustbit.measure.ima.ImaLogWriter;
import io.trustbit.measure.ima.ImaReplayState;
import io.trustbit.measure.ima.RuntimePolicy;
import io.trustbit.measure.ima.UntrustedImaLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad IMA bytes through the real HTTP API: the list of a correctly quoted PCR 10 truncated at every byte, and
 * seeded random mutations of it, each in evidence that is otherwise right. Every answer is a 200 with a
 * contraindicated verdict naming an {@code ima.*} check (never a 5xx), unless the mutation left the bytes the
 * quote covers as they were.
 */
class ImaHttpFuzzTest {
    private static final int MUTATIONS = 200;

    @TempDir
    Path dir;

    @Test
    void truncatedAndMutatedListsAreContraindicatedNeverA5xx() throws Exception {
        byte[] list = new ImaLogWriter()
                .imaNg("boot_aggregate", ImaHashAlgo.SHA256, sha256("boot"))
                .imaNg("/usr/bin/bash", ImaHashAlgo.SHA256, sha256("bash"))
                .imaSig("/usr/bin/ls", ImaHashAlgo.SHA1, HashAlg.SHA1.digest(new byte[] {1}), new byte[0])
                .imaNg("/usr/sbin/init", ImaHashAlgo.SHA512, HashAlg.SHA512.digest(new byte[] {2}))
                .toByteArray();
        RuntimePolicy.Builder allow = RuntimePolicy.builder();
        for (var e : UntrustedImaLog.parse(list).entries()) {
            allow.allow(e.claimedPath(), e.claimedFileDigestAlgo(), e.claimedFileDigest());
        }
        byte[] pcr10 = UntrustedImaLog.parse(list).replay(ImaReplayState.initial(Set.of(HashAlg.SHA256))).pcr(HashAlg.SHA256);

        DrtmChain chain = new DrtmChain();
        Files.createDirectories(dir.resolve("verifier/policies"));
        Files.writeString(dir.resolve("verifier/policies/test.yaml"), chain.policyYaml("test", true)
                + RuntimeSection.toYaml(allow.build()));
        String url = "jdbc:h2:mem:ima-http-fuzz;DB_CLOSE_DELAY=-1";
        try (TestVerifier v = TestVerifier.start(dir.resolve("verifier"), b -> b.database(url, "sa", ""))) {
            SoftTpm tpm = new SoftTpm();
            v.enroll("fuzz", tpm);
            Map<HashAlg, Map<Integer, byte[]>> pcrs = chain.pcrs();
            pcrs.get(HashAlg.SHA256).put(10, pcr10);
            List<Integer> quoted = new ArrayList<>(DrtmChain.drtmPcrs());
            quoted.add(10);

            assertEquals("affirming", post(v, tpm, chain, pcrs, quoted, list), "the list as quoted");
            clearState(url);
            List<String> failures = new ArrayList<>();
            for (int n = 0; n < list.length; n++) {
                String status = post(v, tpm, chain, pcrs, quoted, Arrays.copyOf(list, n));
                if (!status.startsWith("contraindicated ima.")) {
                    failures.add("truncated at " + n + ": " + status);
                }
            }
            Random r = new Random(0x1A4);
            for (int i = 0; i < MUTATIONS; i++) {
                byte[] m = AppraisalFuzzTest.mutate(list, r);
                String status = post(v, tpm, chain, pcrs, quoted, m);
                boolean covered = Arrays.equals(m, list);
                if (covered ? !status.equals("affirming") : !status.startsWith("contraindicated ima.")) {
                    failures.add("mutation " + i + ": " + status);
                }
                if (status.equals("affirming")) {
                    clearState(url);
                }
            }
            assertTrue(failures.isEmpty(), failures.size() + " cases: " + failures);
        }
    }

    /** Posts evidence over a fresh challenge with {@code ima} as the whole list; "status" or "status first-check". */
    private static String post(TestVerifier v, SoftTpm tpm, DrtmChain chain, Map<HashAlg, Map<Integer, byte[]>> pcrs,
            List<Integer> quoted, byte[] ima) throws Exception {
        byte[] nonce = v.challenge("fuzz");
        SoftTpm.Quote q = tpm.new Quote(nonce, SoftTpm.sha256(quoted), pcrs);
        byte[] attest = q.attest();
        TestVerifier.Reply reply = v.postEvidence("fuzz", TestVerifier.evidence("fuzz", tpm, nonce, attest, q.signature(attest),
                pcrs, chain.eventLog(), new ImaTail(0, 0, ima)));
        if (reply.status() != 200) {
            return "HTTP " + reply.status() + " " + reply.text();
        }
        String status = reply.json().get("status").asText();
        return reply.json().get("reasons").isEmpty() ? status : status + " " + reply.json().get("reasons").get(0).get("check").asText();
    }

    private static void clearState(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement st = c.createStatement()) {
            st.executeUpdate("DELETE FROM ima_state");
        }
    }

    private static byte[] sha256(String s) {
        return HashAlg.SHA256.digest(s.getBytes(StandardCharsets.US_ASCII));
    }
}
