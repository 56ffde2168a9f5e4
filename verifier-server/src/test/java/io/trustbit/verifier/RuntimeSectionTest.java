package io.trustbit.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.measure.HashAlg;
import io.trustbit.measure.PcrValues;
import io.trustbit.measure.ima.ImaHashAlgo;
import io.trustbit.measure.ima.ImaLogWriter;
import io.trustbit.measure.ima.ImaReplayState;
import io.trustbit.measure.ima.ImaSignature;
import io.trustbit.measure.ima.ImaSigningKey;
import io.trustbit.measure.ima.RuntimePolicy;
import io.trustbit.measure.ima.UntrustedImaLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The policy's runtime section and the Keylime import: a hand-written Keylime runtime policy
 * (src/test/resources/keylime, schema of keylime/ima/types.py) and its trustbit counterpart
 * (policies/examples/with-runtime.yaml) give the same findings on the same measurement list.
 */
class RuntimeSectionTest {
    private static final Path KEYLIME = Path.of("src", "test", "resources", "keylime");

    private static byte[] sha256(String s) {
        return HashAlg.SHA256.digest(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** Entries like those of the reference machine, and five the policies must refuse. */
    private static byte[] measurementList() throws Exception {
        ImaSigningKey tenant = ImaSigningKey.read(KEYLIME.resolve("tenant-signing-key.pem"));
        ImaSigningKey stranger = ImaSigningKey.generate(ImaSigningKey.Type.ECDSA_P256);
        return new ImaLogWriter()
                .imaNg("boot_aggregate", ImaHashAlgo.SHA256, sha256("boot aggregate of the reference machine"))
                .imaNg("/usr/lib/systemd/systemd", ImaHashAlgo.SHA256, sha256("systemd 252.39-1~deb12u1"))
                .imaNg("/usr/bin/bash", ImaHashAlgo.SHA256, sha256("bash 5.2.15-2+b8"))
                .imaNg("/usr/bin/ls", ImaHashAlgo.SHA1, HashAlg.SHA1.digest("coreutils 9.1-1 ls".getBytes(StandardCharsets.US_ASCII)))
                .imaNg("/tmp/cc1234.out", ImaHashAlgo.SHA256, sha256("a build"))
                .imaNg("/home/ann/.cache/tool", ImaHashAlgo.SHA256, sha256("cached"))
                .imaSig("/opt/app/server", ImaHashAlgo.SHA256, sha256("app 1.0"),
                        ImaSignature.sign(tenant, ImaHashAlgo.SHA256, sha256("app 1.0")).encode())
                .imaNg("/usr/bin/nc", ImaHashAlgo.SHA256, sha256("netcat"))                                      // 7 unlisted
                .imaNg("/usr/bin/bash", ImaHashAlgo.SHA256, sha256("bash with a backdoor"))                      // 8 digest
                .imaSig("/opt/app/server", ImaHashAlgo.SHA256, sha256("app 1.0 modified"),
                        ImaSignature.sign(tenant, ImaHashAlgo.SHA256, sha256("app 1.0")).encode())               // 9 signature
                .imaSig("/opt/app/other", ImaHashAlgo.SHA256, sha256("other"),
                        ImaSignature.sign(stranger, ImaHashAlgo.SHA256, sha256("other")).encode())               // 10 unlisted
                .imaNg("/home/ann/cache/tool", ImaHashAlgo.SHA256, sha256("cached"))                             // 11 unlisted
                .toByteArray();
    }

    private static List<String> findings(RuntimePolicy p, byte[] list) throws Exception {
        UntrustedImaLog log = UntrustedImaLog.parse(list);
        ImaReplayState end = log.replay(ImaReplayState.initial());
        PcrValues quote = PcrValues.builder().put(HashAlg.SHA256, 10, end.pcr(HashAlg.SHA256)).build();
        return p.appraise(log.verifyAgainst(ImaReplayState.initial(), quote)).stream()
                .map(f -> f.index() + " " + f.rule() + " " + f.path()).toList();
    }

    @Test
    void keylimeImportAndTheExamplePolicyGiveTheSameVerdicts() throws Exception {
        KeylimeRuntimePolicy.Result imported = KeylimeRuntimePolicy.convert(Files.readAllBytes(KEYLIME.resolve("runtime-policy.json")));
        assertEquals(List.of(), imported.notImported());
        Policy example = Policy.parse(Files.readAllBytes(Path.of("..", "policies", "examples", "with-runtime.yaml")), "x");
        byte[] list = measurementList();
        List<String> expected = List.of("7 runtime.unlisted /usr/bin/nc", "8 runtime.digest /usr/bin/bash",
                "9 runtime.signature /opt/app/server", "10 runtime.unlisted /opt/app/other", "11 runtime.unlisted /home/ann/cache/tool");
        assertEquals(expected, findings(imported.policy(), list));
        assertEquals(expected, findings(example.runtime(), list));
        // and the section written back parses to a policy with the same verdicts
        String yaml = new DrtmChain().policyYaml("rt", false) + RuntimeSection.toYaml(imported.policy());
        Policy reparsed = Policy.parse(yaml.getBytes(StandardCharsets.UTF_8), "rt");
        assertEquals(expected, findings(reparsed.runtime(), list));
        assertEquals(imported.policy().digests(), reparsed.runtime().digests());
    }

    @Test
    void aPolicyWithoutTheSectionHasNoRuntimePolicy() throws Exception {
        assertNull(Policy.parse(new DrtmChain().policyYaml("plain", false).getBytes(StandardCharsets.UTF_8), "plain").runtime());
    }

    @Test
    void badSectionsNameTheField() {
        String base = new DrtmChain().policyYaml("p", false);
        expect(base + "runtime: []\n", "runtime: must be a mapping");
        expect(base + "runtime:\n  allowlist: {}\n", "runtime.allowlist: unknown field");
        expect(base + "runtime:\n  digests:\n    /bin/a: [\"sha256:00\"]\n", "runtime.digests[\"/bin/a\"]: digest 'sha256:00' is not 32 bytes");
        expect(base + "runtime:\n  digests:\n    /bin/a: []\n", "runtime.digests[\"/bin/a\"]: needs at least one digest");
        expect(base + "runtime:\n  excludes: [\"(\"]\n", "runtime.excludes[0]: exclude '(' is not a regular expression");
        expect(base + "runtime:\n  keys:\n    - der: \"AAAA\"\n", "runtime.keys[0].der: not a DER SubjectPublicKeyInfo");
        expect(base + "runtime:\n  keys:\n    - der: \"AAAA\"\n      keyId: \"xyz\"\n", "runtime.keys[0].keyId: must be 8 hex digits");
        expect(base + "runtime:\n  allowViolations: \"no\"\n", "runtime.allowViolations: must be true or false");
    }

    @Test
    void keylimeFilesThatAreNotVersion1OrNotJsonAreRefused() {
        PolicyException e = assertThrows(PolicyException.class, () -> KeylimeRuntimePolicy.convert("{\"meta\":{\"version\":2}}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("meta.version: must be 1"), e.getMessage());
        e = assertThrows(PolicyException.class, () -> KeylimeRuntimePolicy.convert("{".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().startsWith("not valid JSON"), e.getMessage());
        e = assertThrows(PolicyException.class, () -> KeylimeRuntimePolicy.convert(
                "{\"meta\":{\"version\":1},\"digests\":{\"/a\":[\"zz\"]}}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("digest 'zz' is not hex"), e.getMessage());
    }

    @Test
    void keylimeSectionsWithoutACounterpartAreReported() throws Exception {
        KeylimeRuntimePolicy.Result r = KeylimeRuntimePolicy.convert(("{\"meta\":{\"version\":1},\"digests\":{},\"excludes\":[],"
                + "\"keyrings\":{\".ima\":[\"" + "00".repeat(32) + "\"]},\"ima-buf\":{\"dm_table_load\":[\"" + "00".repeat(32) + "\"]},"
                + "\"ima\":{\"ignored_keyrings\":[],\"log_hash_alg\":\"sha1\",\"dm_policy\":null},\"verification-keys\":\"\"}")
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(2, r.notImported().size(), r.notImported().toString());
        assertTrue(r.notImported().get(0).startsWith("keyrings"));
    }

    private static void expect(String yaml, String fragment) {
        PolicyException e = assertThrows(PolicyException.class, () -> Policy.parse(yaml.getBytes(StandardCharsets.UTF_8), "p"));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
