package io.trustbit.verifier;

import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Writes a policy file (schema version 1, docs/formats.md "Policy") from reference values, e.g. the ones
 * {@code trustbit policy from-build} computes from a build. The output is checked with {@link Policy#parse}.
 */
public final class PolicyYaml {
    private String id = "default";
    private String description = "";
    private String bank = "sha256";
    private boolean allowEmulated;
    private boolean requireDmaProtection;
    private List<byte[]> pcr17 = List.of();
    private List<byte[]> slb = List.of();
    private List<byte[]> vmm = List.of();
    private List<byte[]> pcr18 = List.of();
    private List<byte[]> launchConfig = List.of();
    private final Map<String, Long> signers = new LinkedHashMap<>();
    private final Map<String, Long> linuxSigners = new LinkedHashMap<>();
    private final SortedMap<Integer, List<byte[]>> firmware = new TreeMap<>();
    private long maxEvidenceAgeSeconds = 300;
    private long verdictLifetimeSeconds = 600;
    private io.trustbit.measure.ima.RuntimePolicy runtime;

    public PolicyYaml id(String v) { id = v; return this; }
    public PolicyYaml description(String v) { description = v; return this; }
    public PolicyYaml bank(String v) { bank = v; return this; }
    public PolicyYaml allowEmulated(boolean v) { allowEmulated = v; return this; }
    public PolicyYaml requireDmaProtection(boolean v) { requireDmaProtection = v; return this; }
    public PolicyYaml pcr17(List<byte[]> v) { pcr17 = v; return this; }
    public PolicyYaml slb(List<byte[]> v) { slb = v; return this; }
    public PolicyYaml vmm(List<byte[]> v) { vmm = v; return this; }
    public PolicyYaml pcr18(List<byte[]> v) { pcr18 = v; return this; }
    public PolicyYaml launchConfig(List<byte[]> v) { launchConfig = v; return this; }
    public PolicyYaml signer(byte[] keyId, long minSecurityVersion) { signers.put(HexFormat.of().formatHex(keyId), minSecurityVersion); return this; }
    /** A signer of Linux guests (kernel, initrd, command line): {@code guests.linuxSigners}. */
    public PolicyYaml linuxSigner(byte[] keyId, long minSecurityVersion) { linuxSigners.put(HexFormat.of().formatHex(keyId), minSecurityVersion); return this; }
    public PolicyYaml firmware(int pcr, List<byte[]> values) { firmware.put(pcr, values); return this; }
    public PolicyYaml maxEvidenceAgeSeconds(long v) { maxEvidenceAgeSeconds = v; return this; }
    public PolicyYaml verdictLifetimeSeconds(long v) { verdictLifetimeSeconds = v; return this; }
    public PolicyYaml runtime(io.trustbit.measure.ima.RuntimePolicy v) { runtime = v; return this; }

    /** The YAML text; throws if it would not pass {@link Policy#parse}. */
    public String toYaml() throws PolicyException {
        StringBuilder y = new StringBuilder();
        y.append("# trustbit policy (schema: docs/formats.md \"Policy\")\n");
        y.append("version: 1\n");
        y.append("id: ").append(id).append('\n');
        y.append("description: \"").append(description.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"\n");
        y.append("bank: ").append(bank).append('\n');
        y.append("launch:\n  # an emulated launch (SKINIT measurement injected by the test harness) is for tests only\n");
        y.append("  allowEmulated: ").append(allowEmulated).append('\n');
        y.append("  # the VMM must have kept devices out with the IOMMU (PCR 18: dma-protection=iommu ...)\n");
        y.append("  requireDmaProtection: ").append(requireDmaProtection).append('\n');
        y.append("drtm:\n");
        list(y, "  ", "pcr17", pcr17);
        list(y, "  ", "slb", slb);
        list(y, "  ", "vmm", vmm);
        list(y, "  ", "pcr18", pcr18);
        list(y, "  ", "launchConfig", launchConfig);
        y.append("guests:\n  allowRefused: true\n");
        signers(y, "signers", signers);
        if (!linuxSigners.isEmpty()) {
            y.append("  # a launched Linux guest must be signed by one of these, not by one of signers\n");
            signers(y, "linuxSigners", linuxSigners);
        }
        if (!firmware.isEmpty()) {
            y.append("firmware:\n");
            firmware.forEach((pcr, values) -> list(y, "  ", "\"" + pcr + "\"", values));
        }
        y.append("maxEvidenceAgeSeconds: ").append(maxEvidenceAgeSeconds).append('\n');
        y.append("verdictLifetimeSeconds: ").append(verdictLifetimeSeconds).append('\n');
        if (runtime != null) {
            y.append(RuntimeSection.toYaml(runtime));
        }
        String text = y.toString();
        Policy.parse(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), id);
        return text;
    }

    private static void signers(StringBuilder y, String key, Map<String, Long> keys) {
        y.append("  ").append(key).append(':');
        if (keys.isEmpty()) {
            y.append(" []\n");
            return;
        }
        y.append('\n');
        keys.forEach((k, v) -> y.append("    - keyId: \"").append(k).append("\"\n      minSecurityVersion: ").append(v)
                .append('\n'));
    }

    private static void list(StringBuilder y, String indent, String key, List<byte[]> values) {
        if (values.isEmpty()) {
            return;
        }
        y.append(indent).append(key).append(":\n");
        for (byte[] v : values) {
            y.append(indent).append("  - \"").append(HexFormat.of().formatHex(v)).append("\"\n");
        }
    }
}
