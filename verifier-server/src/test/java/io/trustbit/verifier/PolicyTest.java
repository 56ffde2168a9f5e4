package io.trustbit.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The policy schema: every example of policies/ parses, and each rule refuses what it should. */
class PolicyTest {
    private static final String BASE = new DrtmChain().policyYaml("base", false);

    @Test
    void everyExampleParses() throws Exception {
        Path dir = Path.of("..", "policies", "examples");
        List<String> failures = new ArrayList<>();
        int n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.yaml")) {
            for (Path f : ds) {
                n++;
                try {
                    Policy p = Policy.parse(Files.readAllBytes(f), "x");
                    assertEquals(f.getFileName().toString().replace(".yaml", ""), p.id());
                } catch (PolicyException e) {
                    failures.add(f + ": " + e.getMessage());
                }
            }
        }
        assertTrue(n >= 3, "examples found: " + n);
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void defaultsAndDigest() throws Exception {
        Policy p = Policy.parse(BASE.getBytes(StandardCharsets.UTF_8), "ignored");
        assertEquals("base", p.id());
        assertFalse(p.allowEmulated());
        assertEquals(List.of(17, 18, 19), List.copyOf(p.pcrsRead()));
        assertTrue(p.digest().matches("sha256:[0-9a-f]{64}"));
        assertEquals(600, p.verdictLifetimeSeconds());
    }

    /** Each case: a YAML edit and the field the error must name. Every failing case is reported together. */
    @Test
    void malformedPoliciesNameTheField() {
        Map<String, String[]> cases = Map.ofEntries(
                Map.entry("unknown top-level key", new String[] {BASE + "extra: 1\n", "extra"}),
                Map.entry("wrong version", new String[] {BASE.replace("version: 1", "version: 2"), "version"}),
                Map.entry("bad bank", new String[] {BASE.replace("bank: sha256", "bank: md5"), "bank"}),
                Map.entry("short digest", new String[] {BASE.replaceFirst("slb: \\[[0-9a-f]+\\]", "slb: [abcd]"), "drtm.slb[0]"}),
                Map.entry("no pcr17 nor slb+vmm", new String[] {BASE.replaceFirst("  slb: \\[[0-9a-f]+\\]\n", ""), "drtm"}),
                Map.entry("emulated not boolean", new String[] {BASE.replace("allowEmulated: false", "allowEmulated: maybe"), "launch.allowEmulated"}),
                Map.entry("firmware PCR 8", new String[] {BASE + "firmware:\n  \"8\": [" + "00".repeat(32) + "]\n", "firmware"}),
                Map.entry("negative age", new String[] {BASE.replace("maxEvidenceAgeSeconds: 120", "maxEvidenceAgeSeconds: 0"), "maxEvidenceAgeSeconds"}),
                Map.entry("duplicate key", new String[] {BASE + "bank: sha1\n", "YAML"}),
                Map.entry("alias bomb", new String[] {"a: &a [x]\nb: [*a, *a]\n", "YAML"}),
                Map.entry("not a mapping", new String[] {"- 1\n", "policy"}),
                Map.entry("signer key id short", new String[] {BASE.replaceFirst("keyId: [0-9a-f]+", "keyId: 00"), "guests.signers[0].keyId"}),
                Map.entry("retired without reason", new String[] {retired("{keyId: \"" + "ab".repeat(32) + "\"}"),
                        "guests.retiredSigners[0].reason: required"}),
                Map.entry("retired reason too long", new String[] {retired("{keyId: \"" + "ab".repeat(32) + "\", reason: \""
                        + "x".repeat(201) + "\"}"), "guests.retiredSigners[0].reason"}),
                Map.entry("retired twice", new String[] {retired("{keyId: \"" + "ab".repeat(32) + "\", reason: a}\n    - {keyId: \""
                        + "AB".repeat(32) + "\", reason: b}"), "guests.retiredSigners[1].keyId: listed twice"}),
                Map.entry("fleet minimum negative", new String[] {BASE.replace("guests:\n", "guests:\n  minSecurityVersion: -1\n"),
                        "guests.minSecurityVersion"}));
        List<String> failures = new ArrayList<>();
        cases.forEach((name, c) -> {
            try {
                Policy.parse(c[0].getBytes(StandardCharsets.UTF_8), "t");
                failures.add(name + ": accepted");
            } catch (PolicyException e) {
                if (!e.getMessage().contains(c[1])) {
                    failures.add(name + ": message '" + e.getMessage() + "' does not name " + c[1]);
                }
            }
        });
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    private static String retired(String entries) {
        return BASE.replace("guests:\n", "guests:\n  retiredSigners:\n    - " + entries + "\n");
    }

    @Test
    void retiredSignersAndFleetMinimum() throws Exception {
        Policy p = Policy.parse(BASE.replace("guests:\n", "guests:\n  minSecurityVersion: 7\n  retiredSigners:\n"
                + "    - {keyId: \"" + "AB".repeat(32) + "\", reason: \" leaked, INC-7 \"}\n").getBytes(StandardCharsets.UTF_8), "t");
        assertEquals(7, p.fleetMinSecurityVersion());
        assertEquals(Map.of("ab".repeat(32), "leaked, INC-7"), p.retiredSigners());
        Policy none = Policy.parse(BASE.getBytes(StandardCharsets.UTF_8), "t");
        assertEquals(0, none.fleetMinSecurityVersion());
        assertTrue(none.retiredSigners().isEmpty());
    }

    @Test
    void policyYamlRoundTrips() throws Exception {
        String y = new PolicyYaml().id("built").pcr17(List.of(new byte[32])).pcr18(List.of(new byte[32], new byte[32]))
                .signer(new byte[32], 4).allowEmulated(true).toYaml();
        Policy p = Policy.parse(y.getBytes(StandardCharsets.UTF_8), "x");
        assertTrue(p.allowEmulated());
        assertEquals(2, p.pcr18().size());
        assertEquals(4L, p.signers().get("00".repeat(32)));
        assertThrows(PolicyException.class, () -> new PolicyYaml().toYaml());
    }
}
