package io.trustbit.measure.ima;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustbit.measure.HashAlg;
import io.trustbit.measure.PcrValues;
import io.trustbit.measure.ReplayMismatchException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A measurement list written by a real kernel (Debian 6.1, {@code ima_policy=tcb}, template ima-sig, SHA-256
 * file digests, swtpm TPM with SHA-1 and SHA-256 banks; made by tests/ima/golden-log) replays to the PCR 10
 * values that kernel read from its TPM, in both banks, with our replay and with evmctl's.
 */
class ImaGoldenTest {
    private static final Path DIR = Path.of("src", "test", "resources", "ima", "debian-tcb");

    private static PcrValues quoted() throws Exception {
        JsonNode pcr = new ObjectMapper().readTree(DIR.resolve("pcr10.json").toFile()).path("pcr10");
        return PcrValues.builder().put(HashAlg.SHA1, 10, HexFormat.of().parseHex(pcr.path("sha1").asText()))
                .put(HashAlg.SHA256, 10, HexFormat.of().parseHex(pcr.path("sha256").asText())).build();
    }

    @Test
    void theKernelsListReplaysToItsPcr10InBothBanks() throws Exception {
        byte[] log = Files.readAllBytes(DIR.resolve("binary_runtime_measurements"));
        UntrustedImaLog parsed = UntrustedImaLog.parse(log);
        VerifiedImaLog v = parsed.verifyAgainst(ImaReplayState.initial(), quoted());
        assertEquals(14, v.entries().size());
        assertEquals(0, v.uncoveredEntries());
        assertEquals("boot_aggregate", v.entries().get(0).path());
        assertEquals(ImaTemplate.IMA_SIG, v.entries().get(1).template());
        assertEquals("/host/usr/bin/true", v.entries().get(1).path());
        assertEquals("c79bf44242829108e323378531f4ac839513ca1fba45efd6583643526e1e9fd2", HexFormat.of().formatHex(v.entries().get(1).fileDigest()));
        assertTrue(v.entries().stream().allMatch(e -> e.signature().length == 0 && e.fileDigestAlgo() == ImaHashAlgo.SHA256));
        // each bank alone is enough, and the sha256 bank is SHA-256 over the template data (not padded SHA-1)
        for (HashAlg bank : List.of(HashAlg.SHA1, HashAlg.SHA256)) {
            PcrValues one = PcrValues.builder().put(bank, 10, quoted().get(bank, 10).orElseThrow()).build();
            assertEquals(14, parsed.verifyAgainst(ImaReplayState.initial(), one).entries().size());
        }
    }

    @Test
    void evmctlAgreesAndOneDroppedEntryMatchesNeither(@TempDir Path dir) throws Exception {
        byte[] log = Files.readAllBytes(DIR.resolve("binary_runtime_measurements"));
        Path sha1 = ImaTools.pcrFile(dir, "sha1.pcrs", quoted().get(HashAlg.SHA1, 10).orElseThrow());
        Path sha256 = ImaTools.pcrFile(dir, "sha256.pcrs", quoted().get(HashAlg.SHA256, 10).orElseThrow());
        ImaTools.Result r = ImaTools.run(dir, "evmctl", "-v", "ima_measurement", "--pcrs", "sha1," + sha1, "--pcrs", "sha256," + sha256,
                DIR.toAbsolutePath().resolve("binary_runtime_measurements").toString());
        assertTrue(r.output().contains("Matched per TPM bank"), r.output());
        List<byte[]> entries = ImaLogTest.split(log);
        entries.remove(5);
        byte[] dropped = ImaLogTest.join(entries);
        assertThrows(ReplayMismatchException.class, () -> UntrustedImaLog.parse(dropped).verifyAgainst(ImaReplayState.initial(), quoted()));
    }

    @Test
    void anAllowlistFromTheListAllowsItAndMissesWhatItLacks() throws Exception {
        VerifiedImaLog v = UntrustedImaLog.parse(Files.readAllBytes(DIR.resolve("binary_runtime_measurements")))
                .verifyAgainst(ImaReplayState.initial(), quoted());
        RuntimePolicy.Builder all = RuntimePolicy.builder();
        RuntimePolicy.Builder withoutLs = RuntimePolicy.builder();
        for (VerifiedImaEntry e : v.entries()) {
            all.allow(e.path(), e.fileDigestAlgo(), e.fileDigest());
            if (!e.path().equals("/host/usr/bin/ls")) {
                withoutLs.allow(e.path(), e.fileDigestAlgo(), e.fileDigest());
            }
        }
        assertEquals(List.of(), all.build().appraise(v));
        assertEquals(List.of("runtime.unlisted: /host/usr/bin/ls (entry 6)"),
                withoutLs.build().appraise(v).stream().map(f -> f.rule() + ": " + f.path() + " (entry " + f.index() + ")").toList());
    }
}
