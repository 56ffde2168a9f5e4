package io.trustbit.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.attest.EventLogKind;
import io.trustbit.attest.Evidence;
import io.trustbit.attest.EvidenceCodec;
import io.trustbit.attest.NodeId;
import io.trustbit.measure.HashAlg;
import io.trustbit.measure.PcrValues;
import io.trustbit.measure.UntrustedEventLog;
import io.trustbit.testkit.Bytes;
import io.trustbit.verifier.internal.Appraiser;
import io.trustbit.verifier.internal.Check;
import io.trustbit.verifier.internal.EarStatus;
import io.trustbit.verifier.internal.PolicyRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A real firmware event log (tpm2-tools fixture from ../../shared/testdata) beside the DRTM log: a policy pinning
 * PCRs 0 and 7 accepts the quote whose PCRs 0–7 are the log's replay, and a log with one changed digest fails.
 */
class FirmwareLogTest {
    static Path testData() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolveSibling("shared").resolve("testdata");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("test data not found: expected ../../shared/testdata from the module directory");
    }

    @Test
    void firmwarePcrsFromARealUefiLog() throws Exception {
        byte[] uefi = Files.readAllBytes(testData().resolve("eventlogs/tpm2-tools/event-gce-ubuntu-2104-log.bin"));
        PcrValues fw = UntrustedEventLog.parse(uefi).replay();
        DrtmChain chain = new DrtmChain();
        Map<Integer, byte[]> bank = new TreeMap<>(chain.pcrs().get(HashAlg.SHA256));
        for (int p = 0; p <= 7; p++) {
            bank.put(p, fw.get(HashAlg.SHA256, p).orElseThrow());
        }
        HexFormat h = HexFormat.of();
        String yaml = chain.policyYaml("fw", false) + "firmware:\n  \"0\": [\"" + h.formatHex(bank.get(0)) + "\"]\n  \"7\": [\""
                + h.formatHex(bank.get(7)) + "\"]\n";
        Policy policy = Policy.parse(yaml.getBytes(StandardCharsets.UTF_8), "fw");
        assertEquals(List.of(0, 7, 17, 18, 19), new ArrayList<>(policy.pcrsRead()));

        assertEquals(EarStatus.AFFIRMING, appraise(chain, bank, uefi, policy).status());

        byte[] tampered = uefi.clone();
        // flip one byte of the SHA-256 digest of the first PCR 0-7 event that has one (event data is not covered)
        byte[] digest = null;
        for (var e : UntrustedEventLog.parse(uefi).events()) {
            if (e.pcrIndex() <= 7 && e.digests().get(HashAlg.SHA256) != null && e.eventType() != 3) {
                digest = e.digests().get(HashAlg.SHA256);
                break;
            }
        }
        int at = Bytes.indexOf(tampered, digest);
        assertTrue(at > 0, "digest found in the log bytes");
        tampered[at + 5] ^= 1;
        Appraiser.Result bad = appraise(chain, bank, tampered, policy);
        assertEquals(EarStatus.CONTRAINDICATED, bad.status());
        assertTrue(bad.failures().stream().anyMatch(r -> r.check() == Check.EVENTLOG_UEFI),
                bad.failures().toString());

        Map<Integer, byte[]> wrongFirmware = new TreeMap<>(bank);
        wrongFirmware.put(0, new byte[32]);
        Appraiser.Result fwBad = appraise(chain, wrongFirmware, null, policy);
        assertTrue(fwBad.failures().stream().anyMatch(r -> r.check() == Check.POLICY_FIRMWARE), fwBad.failures().toString());
    }

    private static Appraiser.Result appraise(DrtmChain chain, Map<Integer, byte[]> bank, byte[] uefi, Policy policy)
            throws Exception {
        SoftTpm tpm = new SoftTpm();
        byte[] nonce = new byte[32];
        Map<HashAlg, Map<Integer, byte[]>> values = Map.of(HashAlg.SHA256, bank);
        SoftTpm.Quote q = tpm.new Quote(nonce, SoftTpm.sha256(new ArrayList<>(bank.keySet())), values);
        byte[] attest = q.attest();
        Map<HashAlg, SortedMap<Integer, byte[]>> pcrs = new EnumMap<>(HashAlg.class);
        pcrs.put(HashAlg.SHA256, new TreeMap<>(bank));
        Map<EventLogKind, byte[]> logs = new EnumMap<>(EventLogKind.class);
        logs.put(EventLogKind.DRTM, chain.eventLog());
        if (uefi != null) {
            logs.put(EventLogKind.UEFI, uefi);
        }
        Evidence ev = EvidenceCodec.parse(EvidenceCodec.toJson(new Evidence(1, NodeId.of("fw-node"), nonce, tpm.akPublic(), attest,
                q.signature(attest), pcrs, logs, Instant.now())));
        return new Appraiser(1024 * 1024).appraise("fw-node", ev, tpm.ekPublic(), tpm.akPublic(), Appraiser.NonceOutcome.OK,
                new PolicyRegistry.Lookup.Found(policy), Instant.now());
    }
}
