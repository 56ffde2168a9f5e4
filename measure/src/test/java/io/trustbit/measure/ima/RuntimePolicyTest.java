package io.trustbit.measure.ima;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.measure.FormatException;
import io.trustbit.measure.HashAlg;
import io.trustbit.measure.internal.Hex;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Appraisal of verified IMA entries against a runtime policy: every rule, named in the finding. */
class RuntimePolicyTest {
    private static final ImaSigningKey APP_KEY = ImaSigningKey.generate(ImaSigningKey.Type.ECDSA_P256);
    private static final ImaSigningKey RSA_KEY = ImaSigningKey.generate(ImaSigningKey.Type.RSA_2048);
    private static final ImaSigningKey OTHER_KEY = ImaSigningKey.generate(ImaSigningKey.Type.ECDSA_P256);

    private static byte[] d(String s) {
        return HashAlg.SHA256.digest(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static List<ImaFinding> appraise(RuntimePolicy policy, ImaLogWriter w) throws Exception {
        byte[] log = w.toByteArray();
        VerifiedImaLog v = UntrustedImaLog.parse(log).verifyAgainst(ImaReplayState.initial(), ImaLogTest.replayed(log));
        return policy.appraise(v);
    }

    private static RuntimePolicy policy() throws FormatException {
        return RuntimePolicy.builder()
                .allow("/usr/bin/bash", "sha256:" + Hex.of(d("bash")))
                .allow("/usr/bin/bash", Hex.of(d("bash 2")))  // bare hex, as in Keylime lists
                .allow("/usr/lib/libc.so.6", ImaHashAlgo.SHA1, HashAlg.SHA1.digest(new byte[] {7}))
                .exclude("/tmp/").exclude("/var/log/.*\\.log")
                .trust(APP_KEY.publicKey()).trust(RSA_KEY.publicKey())
                .build();
    }

    @Test
    void anAllowedRunHasNoFindings() throws Exception {
        ImaLogWriter w = new ImaLogWriter()
                .imaNg("boot_aggregate", ImaHashAlgo.SHA256, d("pcrs 0-9"))
                .imaNg("/usr/bin/bash", ImaHashAlgo.SHA256, d("bash"))
                .imaNg("/usr/bin/bash", ImaHashAlgo.SHA256, d("bash 2"))
                .imaNg("/usr/lib/libc.so.6", ImaHashAlgo.SHA1, HashAlg.SHA1.digest(new byte[] {7}))
                .imaNg("/tmp/build/a.out", ImaHashAlgo.SHA256, d("anything"))
                .imaSig("/opt/app/run", ImaHashAlgo.SHA256, d("app"), ImaSignature.sign(APP_KEY, ImaHashAlgo.SHA256, d("app")).encode())
                .imaSig("/opt/app/tool", ImaHashAlgo.SHA256, d("tool"), ImaSignature.sign(RSA_KEY, ImaHashAlgo.SHA256, d("tool")).encode());
        assertEquals(List.of(), appraise(policy(), w));
    }

    @Test
    void eachRuleNamesThePathAndTheRule() throws Exception {
        byte[] forged = ImaSignature.sign(APP_KEY, ImaHashAlgo.SHA256, d("original")).encode();
        ImaLogWriter w = new ImaLogWriter()
                .imaNg("boot_aggregate", ImaHashAlgo.SHA256, d("pcrs"))
                .imaNg("/usr/bin/nc", ImaHashAlgo.SHA256, d("nc"))                               // 1 unlisted
                .imaNg("/usr/bin/bash", ImaHashAlgo.SHA256, d("trojan bash"))                     // 2 digest
                .imaSig("/opt/app/run", ImaHashAlgo.SHA256, d("modified"), forged)                // 3 signature
                .imaSig("/opt/app/x", ImaHashAlgo.SHA256, d("x"), ImaSignature.sign(OTHER_KEY, ImaHashAlgo.SHA256, d("x")).encode()) // 4 untrusted key
                .violation(ImaTemplate.IMA_NG, "/etc/shadow", ImaHashAlgo.SHA256)               // 5 violation
                .imaNg("boot_aggregate", ImaHashAlgo.SHA256, d("pcrs"))                          // 6 second boot_aggregate
                .imaNg("/var/log/app.log", ImaHashAlgo.SHA256, d("log"))                         // excluded
                .imaNg("/var/log/app.txt", ImaHashAlgo.SHA256, d("txt"))                         // 8 not excluded
                .imaNg("/tmp", ImaHashAlgo.SHA256, d("tmp"));                                    // 9 "/tmp/" does not match "/tmp"
        List<ImaFinding> f = appraise(policy(), w);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 8L, 9L), f.stream().map(ImaFinding::index).toList(), f.toString());
        assertEquals(List.of("runtime.unlisted", "runtime.digest", "runtime.signature", "runtime.unlisted", "runtime.violation",
                "runtime.boot-aggregate", "runtime.unlisted", "runtime.unlisted"), f.stream().map(ImaFinding::rule).toList());
        assertEquals("/usr/bin/nc", f.get(0).path());
        assertTrue(f.get(1).detail().contains("sha256:" + Hex.of(d("trojan bash")) + " is not an allowed digest"), f.get(1).detail());
        assertTrue(f.get(2).detail().contains("does not verify"), f.get(2).detail());
        assertTrue(f.get(3).detail().contains("signed by key " + OTHER_KEY.publicKey().keyIdHex() + ", which is not trusted"), f.get(3).detail());
        assertTrue(f.get(0).toString().startsWith("runtime.unlisted: /usr/bin/nc (entry 1): not in the allowlist"), f.get(0).toString());
    }

    @Test
    void aListedSignedFileWithABadSignatureFailsDespiteItsDigest() throws Exception {
        RuntimePolicy p = RuntimePolicy.builder().allow("/opt/app/run", "sha256:" + Hex.of(d("v2"))).trust(APP_KEY.publicKey()).build();
        ImaLogWriter w = new ImaLogWriter().imaSig("/opt/app/run", ImaHashAlgo.SHA256, d("v2"),
                ImaSignature.sign(APP_KEY, ImaHashAlgo.SHA256, d("v1")).encode());
        assertEquals(List.of("runtime.signature"), appraise(p, w).stream().map(ImaFinding::rule).toList());
    }

    @Test
    void violationsPassOnlyWhenAllowedAndBootAggregateIsCheckedWhenListed() throws Exception {
        ImaLogWriter w = new ImaLogWriter().imaNg("boot_aggregate", ImaHashAlgo.SHA256, d("agg"))
                .violation(ImaTemplate.IMA_SIG, "/var/lib/db", ImaHashAlgo.SHA256);
        assertEquals(List.of(), appraise(RuntimePolicy.builder().allowViolations(true).allow("boot_aggregate", Hex.of(d("agg"))).build(), w));
        List<ImaFinding> f = appraise(RuntimePolicy.builder().allow("boot_aggregate", Hex.of(d("other"))).build(), w);
        assertEquals(List.of("runtime.boot-aggregate", "runtime.violation"), f.stream().map(ImaFinding::rule).toList());
    }

    @Test
    void badPolicyValuesAreRefusedNamingThem() {
        assertTrue(assertThrows(FormatException.class, () -> RuntimePolicy.builder().allow("/a", "sha256:abcd"))
                .getMessage().contains("is not 32 bytes"));
        assertTrue(assertThrows(FormatException.class, () -> RuntimePolicy.builder().allow("/a", "md5:" + "00".repeat(16)))
                .getMessage().contains("algorithm 'md5' is not supported"));
        assertTrue(assertThrows(FormatException.class, () -> RuntimePolicy.builder().allow("/a", "00".repeat(7)))
                .getMessage().contains("the size of no supported algorithm"));
        assertTrue(assertThrows(FormatException.class, () -> RuntimePolicy.builder().allow("/a", "xyz"))
                .getMessage().contains("is not hex"));
        assertTrue(assertThrows(FormatException.class, () -> RuntimePolicy.builder().exclude("(unclosed"))
                .getMessage().contains("is not a regular expression"));
    }
}
