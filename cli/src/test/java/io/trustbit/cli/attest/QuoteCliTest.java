package io.trustbit.cli.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.attest.AttestationTpm;
import io.trustbit.attest.EvidenceCodec;
import io.trustbit.attest.tpm2.PcrSelection;
import io.trustbit.cli.Cli;
import io.trustbit.cli.PcrJson;
import io.trustbit.measure.HashAlg;
import io.trustbit.testkit.Swtpm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code trustbit quote} / {@code quote verify} cross-checked with tpm2-tools on one swtpm. */
class QuoteCliTest {
    static final String NONCE = "5eed".repeat(16);
    static final String OTHER_NONCE = "beef".repeat(16);
    static final String SEL = "sha256:0-7,17-23";
    static final String TPM2_SEL = "sha256:0,1,2,3,4,5,6,7,17,18,19,20,21,22,23";

    @TempDir
    static Path dir;
    static Swtpm swtpm;

    @BeforeAll
    static void start() throws Exception {
        swtpm = Swtpm.start(dir.resolve("swtpm"));
    }

    @AfterAll
    static void stop() {
        swtpm.close();
    }

    static Cli trustbit(Object... args) {
        return Cli.run(args);
    }

    static Cli tool(String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("TPM2TOOLS_TCTI", swtpm.tcti());
        Path log = Files.createTempFile(dir, "tool", ".log");
        Process p = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd) + " timed out");
        return new Cli(p.exitValue(), Files.readString(log), "");
    }

    static byte[] flipped(Path f, int at) throws Exception {
        byte[] b = Files.readAllBytes(f);
        b[at] ^= 0x01;
        return b;
    }

    @Test
    void trustbitQuoteIsAcceptedByTpm2Checkquote() throws Exception {
        Path out = dir.resolve("tb");
        Cli q = trustbit("quote", "--tpm", swtpm.spec(), "--nonce", NONCE, "--pcrs", SEL, "--state-dir", dir.resolve("state"),
                "--out", out);
        assertEquals(0, q.code(), q.err());
        for (String f : List.of("quote.msg", "quote.sig", "ak.pub.pem", "pcrs.json", "pcrs.bin", "evidence.json")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        EvidenceCodec.parse(Files.readAllBytes(out.resolve("evidence.json")));

        Cli ok = tool("tpm2_checkquote", "-u", out + "/ak.pub.pem", "-m", out + "/quote.msg", "-s", out + "/quote.sig",
                "-f", out + "/pcrs.bin", "-g", "sha256", "-q", NONCE);
        assertEquals(0, ok.code(), ok.out());
        Cli wrongNonce = tool("tpm2_checkquote", "-u", out + "/ak.pub.pem", "-m", out + "/quote.msg", "-s", out + "/quote.sig",
                "-f", out + "/pcrs.bin", "-g", "sha256", "-q", OTHER_NONCE);
        assertTrue(wrongNonce.code() != 0, "tpm2_checkquote accepted a wrong nonce");
        Path bad = out.resolve("flipped.msg");
        Files.write(bad, flipped(out.resolve("quote.msg"), 40));
        Cli flippedBit = tool("tpm2_checkquote", "-u", out + "/ak.pub.pem", "-m", bad.toString(), "-s", out + "/quote.sig",
                "-f", out + "/pcrs.bin", "-g", "sha256", "-q", NONCE);
        assertTrue(flippedBit.code() != 0, "tpm2_checkquote accepted a flipped bit");

        // and our own offline verification agrees, on every AK format we write
        for (String ak : List.of("ak.pub.pem", "ak.pub")) {
            Cli v = trustbit("quote", "verify", "--ak", out.resolve(ak), "--msg", out.resolve("quote.msg"),
                    "--sig", out.resolve("quote.sig"), "--nonce", NONCE, "--pcrs", out.resolve("pcrs.json"));
            assertEquals(0, v.code(), v.err());
        }
    }

    @Test
    void tpm2QuoteIsAcceptedByTrustbitQuoteVerify() throws Exception {
        Path t = Files.createDirectories(dir.resolve("tools"));
        assertEquals(0, tool("tpm2_createek", "-c", t + "/ek.ctx", "-G", "ecc", "-u", t + "/ek.pub").code());
        assertEquals(0, tool("tpm2_createak", "-C", t + "/ek.ctx", "-c", t + "/ak.ctx", "-G", "ecc", "-g", "sha256", "-s", "ecdsa",
                "-u", t + "/ak.pub", "-n", t + "/ak.name").code());
        tool("tpm2_flushcontext", "-t");
        Cli quote = tool("tpm2_quote", "-c", t + "/ak.ctx", "-l", TPM2_SEL, "-q", NONCE, "-m", t + "/quote.msg",
                "-s", t + "/quote.sig", "-g", "sha256");
        assertEquals(0, quote.code(), quote.out());
        tool("tpm2_flushcontext", "-t");

        // PCR values read by trustbit (the quote is over the same, unchanged PCRs)
        Map<HashAlg, SortedMap<Integer, byte[]>> pcrs;
        try (AttestationTpm tpm = AttestationTpm.open(swtpm.spec())) {
            pcrs = tpm.tss().pcrRead(PcrSelection.parse(SEL));
        }
        Path pcrJson = t.resolve("pcrs.json");
        Files.writeString(pcrJson, PcrJson.of(pcrs));

        Cli ok = trustbit("quote", "verify", "--ak", t + "/ak.pub", "--msg", t + "/quote.msg", "--sig", t + "/quote.sig",
                "--nonce", NONCE, "--pcrs", pcrJson);
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("quote verified (signature, magic, type, nonce, selection, digest)"), ok.out());

        Cli wrongNonce = trustbit("quote", "verify", "--ak", t + "/ak.pub", "--msg", t + "/quote.msg", "--sig", t + "/quote.sig",
                "--nonce", OTHER_NONCE, "--pcrs", pcrJson);
        assertEquals(1, wrongNonce.code(), wrongNonce.err());
        assertTrue(wrongNonce.err().contains("nonce"), wrongNonce.err());

        List<String> failures = new ArrayList<>();
        byte[] msg = Files.readAllBytes(t.resolve("quote.msg"));
        for (int at = 0; at < msg.length; at += 7) {
            Path bad = t.resolve("flipped.msg");
            Files.write(bad, flipped(t.resolve("quote.msg"), at));
            Cli r = trustbit("quote", "verify", "--ak", t + "/ak.pub", "--msg", bad, "--sig", t + "/quote.sig", "--nonce", NONCE,
                    "--pcrs", pcrJson);
            if (r.code() != 1) {
                failures.add("bit flipped at byte " + at + ": exit " + r.code());
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));

        // a PCR value that differs from the signed digest
        Files.writeString(pcrJson, PcrJson.of(pcrs).replaceFirst("\"0\":\"0", "\"0\":\"1"));
        Cli badPcr = trustbit("quote", "verify", "--ak", t + "/ak.pub", "--msg", t + "/quote.msg", "--sig", t + "/quote.sig",
                "--nonce", NONCE, "--pcrs", pcrJson);
        assertEquals(1, badPcr.code(), badPcr.err());
        // a PCR left out: the selection no longer matches
        Files.writeString(pcrJson, PcrJson.of(pcrs).replaceFirst("\"0\":\"[0-9a-f]{64}\",", ""));
        Cli missing = trustbit("quote", "verify", "--ak", t + "/ak.pub", "--msg", t + "/quote.msg", "--sig", t + "/quote.sig",
                "--nonce", NONCE, "--pcrs", pcrJson);
        assertEquals(1, missing.code(), missing.err());
        assertTrue(missing.err().contains("selected but not supplied"), missing.err());
    }

    @Test
    void tpmInfoAndBadInput() {
        Cli info = trustbit("tpm", "info", "--tpm", swtpm.spec(), "--json");
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("\"manufacturer\":\"IBM\"") && info.out().contains("\"ecc\":false"), info.out());
        assertEquals(2, trustbit("quote", "--tpm", "nonsense", "--nonce", NONCE, "--out", dir.resolve("x")).code());
        assertEquals(2, trustbit("quote", "--tpm", swtpm.spec(), "--nonce", "abc", "--out", dir.resolve("x")).code());
        assertEquals(2, trustbit("quote", "verify", "--ak", dir.resolve("missing"), "--msg", dir.resolve("m"), "--sig", dir.resolve("s"),
                "--nonce", NONCE).code());
    }
}
