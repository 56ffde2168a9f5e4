package io.trustbit.verifier;

import io.trustbit.measure.DmaProtection;
import io.trustbit.measure.EventLogWriter;
import io.trustbit.measure.EventType;
import io.trustbit.measure.GuestRecord;
import io.trustbit.measure.HashAlg;
import io.trustbit.measure.LaunchType;
import io.trustbit.measure.PcrValues;
import io.trustbit.measure.UntrustedEventLog;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A DRTM launch as docs/launch-protocol.md "Measurements" defines it: the event log (SHA-1 and SHA-256) and the
 * PCR 17–19 values it replays to, plus the matching policy YAML.
 */
public final class DrtmChain {
    public byte[] slb = "SLB-bytes-measured-by-the-CPU".getBytes(StandardCharsets.US_ASCII);
    public byte[] vmm = "VMM image".getBytes(StandardCharsets.US_ASCII);
    public LaunchType launchType = LaunchType.SKINIT;
    public byte[] launchConfig = "TBLC launch configuration".getBytes(StandardCharsets.US_ASCII);
    public byte[] signerKeyId = HashAlg.SHA256.digest("guest signer".getBytes(StandardCharsets.US_ASCII));
    public long guestSecurityVersion = 3;
    public boolean refusedGuest;
    /** The launched guest is a Linux guest (record version 2 with initrd and command-line digests). */
    public boolean linuxGuest;
    /** The VMM's PCR 18 record after the configuration; null: no such event. */
    public DmaProtection dma = DmaProtection.IOMMU;

    public byte[] eventLog() {
        EventLogWriter w = new EventLogWriter(List.of(HashAlg.SHA1, HashAlg.SHA256));
        w.event(17, EventType.TB_SKINIT_SLB, digests(slb), "skinit:slb".getBytes(StandardCharsets.US_ASCII));
        w.event(17, EventType.TB_VMM, digests(vmm), "vmm".getBytes(StandardCharsets.US_ASCII));
        w.extendData(18, EventType.TB_LAUNCH_TYPE, launchType.eventData());
        w.event(18, EventType.TB_LAUNCH_CONFIG, digests(launchConfig), "launch-config".getBytes(StandardCharsets.US_ASCII));
        if (dma != null) {
            w.extendData(18, EventType.TB_DMA_PROTECTION, dma.eventData());
        }
        for (byte[] record : guestRecords()) {
            w.extendData(19, EventType.TB_GUEST, record);
        }
        return w.toByteArray();
    }

    /** The PCR 19 guest records, in launch order. */
    public List<byte[]> guestRecords() {
        List<byte[]> out = new ArrayList<>();
        byte[] image = HashAlg.SHA256.digest("guest image".getBytes(StandardCharsets.US_ASCII));
        byte[] initrd = linuxGuest ? HashAlg.SHA256.digest("initrd".getBytes(StandardCharsets.US_ASCII)) : null;
        byte[] cmdline = linuxGuest ? HashAlg.SHA256.digest("console=ttyS0".getBytes(StandardCharsets.US_ASCII)) : null;
        out.add(new GuestRecord(GuestRecord.LAUNCHED, 0, image, signerKeyId, guestSecurityVersion, "guest1", initrd,
                cmdline).encode());
        if (refusedGuest) {
            out.add(new GuestRecord(GuestRecord.REFUSED, 7, new byte[32], new byte[32], 0, "guest2").encode());
        }
        return out;
    }

    private static Map<HashAlg, byte[]> digests(byte[] data) {
        return Map.of(HashAlg.SHA1, HashAlg.SHA1.digest(data), HashAlg.SHA256, HashAlg.SHA256.digest(data));
    }

    /** SHA-256 PCR values 17–19 replayed from the log, plus the given firmware PCRs set to fixed values. */
    public Map<HashAlg, Map<Integer, byte[]>> pcrs(int... firmwarePcrs) {
        try {
            PcrValues v = UntrustedEventLog.parse(eventLog()).replay();
            Map<Integer, byte[]> bank = new TreeMap<>();
            for (int p : List.of(17, 18, 19)) {
                bank.put(p, v.get(HashAlg.SHA256, p).orElseThrow());
            }
            for (int p : firmwarePcrs) {
                bank.put(p, firmwareValue(p));
            }
            return Map.of(HashAlg.SHA256, bank);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] firmwareValue(int pcr) {
        return HashAlg.SHA256.digest(("firmware PCR " + pcr).getBytes(StandardCharsets.US_ASCII));
    }

    /** A policy that accepts exactly this chain. */
    public String policyYaml(String id, boolean allowEmulated) {
        return policyYaml(id, allowEmulated, false);
    }

    /** A policy that accepts exactly this chain, optionally requiring DMA protection. */
    public String policyYaml(String id, boolean allowEmulated, boolean requireDmaProtection) {
        HexFormat h = HexFormat.of();
        return "version: 1\n"
                + "id: " + id + "\n"
                + "description: test chain\n"
                + "bank: sha256\n"
                + "launch:\n  allowEmulated: " + allowEmulated + "\n"
                + "  requireDmaProtection: " + requireDmaProtection + "\n"
                + "drtm:\n"
                + "  slb: [" + h.formatHex(HashAlg.SHA256.digest(slb)) + "]\n"
                + "  vmm: [" + h.formatHex(HashAlg.SHA256.digest(vmm)) + "]\n"
                + "  launchConfig: [" + h.formatHex(HashAlg.SHA256.digest(launchConfig)) + "]\n"
                + "guests:\n  signers:\n    - keyId: " + h.formatHex(signerKeyId) + "\n      minSecurityVersion: 2\n"
                + "maxEvidenceAgeSeconds: 120\n";
    }

    /** Evidence of {@code tpm} as {@code nodeId} over {@code nonce}: a quote of this chain's PCRs and its DRTM log. */
    public byte[] evidence(String nodeId, SoftTpm tpm, byte[] nonce) {
        SoftTpm.Quote q = tpm.new Quote(nonce, SoftTpm.sha256(drtmPcrs()), pcrs());
        byte[] attest = q.attest();
        return TestVerifier.evidence(nodeId, tpm, nonce, attest, q.signature(attest), pcrs(), eventLog());
    }

    public static List<Integer> drtmPcrs() {
        return new ArrayList<>(List.of(17, 18, 19));
    }
}
