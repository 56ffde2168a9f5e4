package io.trustbit.measure.ima;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.measure.FormatException;
import io.trustbit.measure.HashAlg;
import io.trustbit.measure.PcrValues;
import io.trustbit.measure.ReplayMismatchException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing and PCR 10 replay of IMA measurement lists, cross-checked with evmctl ima_measurement. */
class ImaLogTest {
    private static final HexFormat HEX = HexFormat.of();

    /** Three ima-ng entries /bin/f0../bin/f2 with the SHA-256 of "0", "1", "2" as file digests. */
    static byte[] threeEntries() {
        ImaLogWriter w = new ImaLogWriter();
        for (int i = 0; i < 3; i++) {
            w.imaNg("/bin/f" + i, ImaHashAlgo.SHA256, HashAlg.SHA256.digest(("" + i).getBytes(StandardCharsets.US_ASCII)));
        }
        return w.toByteArray();
    }

    static PcrValues quote(byte[] sha1, byte[] sha256) {
        PcrValues.Builder b = PcrValues.builder();
        if (sha1 != null) {
            b.put(HashAlg.SHA1, 10, sha1);
        }
        if (sha256 != null) {
            b.put(HashAlg.SHA256, 10, sha256);
        }
        return b.build();
    }

    /** The values a list claims from boot, as a quote of a machine that wrote it would show them. */
    static PcrValues replayed(byte[] log) throws Exception {
        ImaReplayState end = UntrustedImaLog.parse(log).replay(ImaReplayState.initial());
        return quote(end.pcr(HashAlg.SHA1), end.pcr(HashAlg.SHA256));
    }

    @Test
    void knownAnswerFromAnIndependentReplay() throws Exception {
        // template hashes as `evmctl ima_measurement -v` printed them, PCR 10 as a Python hashlib replay computed it
        byte[] log = threeEntries();
        assertEquals("4089917404eeeadc63ea7a83a3e043bc4a774f10a953b9badebfc8a031d10961", HEX.formatHex(HashAlg.SHA256.digest(log)));
        UntrustedImaLog parsed = UntrustedImaLog.parse(log);
        assertEquals(3, parsed.entries().size());
        assertEquals("75db7c619f937d38987d65fc6e22b78a6bdbd9fe", HEX.formatHex(parsed.entries().get(0).claimedTemplateDigest()));
        assertEquals("735f3a23c41665ea3ebd2fd98e725528fe6dc8e2", HEX.formatHex(parsed.entries().get(2).claimedTemplateDigest()));
        assertEquals("/bin/f1", parsed.entries().get(1).claimedPath());
        VerifiedImaLog v = parsed.verifyAgainst(ImaReplayState.initial(), quote(
                HEX.parseHex("16ebe098fbc321c30074b26d4dfc6003cfce3415"),
                HEX.parseHex("3aad62424e53a858d725535162b68c3a4a594e4c00b3443271e659e9f019b07a")));
        assertEquals(3, v.entries().size());
        assertEquals(0, v.uncoveredEntries());
        assertEquals(3, v.end().nextEntry());
        assertEquals("/bin/f2", v.entries().get(2).path());
    }

    /** A list with boot_aggregate, ima-ng and ima-sig entries, a violation and a SHA-1 file digest. */
    static byte[] mixed(ImaSigningKey key) {
        byte[] sigDigest = HashAlg.SHA256.digest("signed program".getBytes(StandardCharsets.US_ASCII));
        ImaLogWriter w = new ImaLogWriter()
                .imaNg("boot_aggregate", ImaHashAlgo.SHA256, HashAlg.SHA256.digest(new byte[8 * 32]))
                .imaNg("/usr/bin/bash", ImaHashAlgo.SHA256, HashAlg.SHA256.digest(new byte[] {1}))
                .imaSig("/usr/local/bin/app", ImaHashAlgo.SHA256, sigDigest,
                        ImaSignature.sign(key, ImaHashAlgo.SHA256, sigDigest).encode())
                .imaSig("/usr/bin/ls", ImaHashAlgo.SHA256, HashAlg.SHA256.digest(new byte[] {2}), new byte[0])
                .violation(ImaTemplate.IMA_NG, "/var/log/app.log", ImaHashAlgo.SHA256)
                .imaNg("/usr/lib/old.so", ImaHashAlgo.SHA1, HashAlg.SHA1.digest(new byte[] {3}));
        return w.toByteArray();
    }

    @Test
    void evmctlReplaysOurListsToOurValuesInBothBanks(@TempDir Path dir) throws Exception {
        byte[] log = mixed(ImaSigningKey.generate(ImaSigningKey.Type.ECDSA_P256));
        PcrValues ours = replayed(log);
        Path file = dir.resolve("binary_runtime_measurements");
        Files.write(file, log);
        Path sha1 = ImaTools.pcrFile(dir, "sha1.pcrs", ours.get(HashAlg.SHA1, 10).orElseThrow());
        Path sha256 = ImaTools.pcrFile(dir, "sha256.pcrs", ours.get(HashAlg.SHA256, 10).orElseThrow());
        // --ignore-violations makes evmctl extend a violation as all 0xFF, as the kernel does (without it, zeros)
        ImaTools.Result r = ImaTools.run(dir, "evmctl", "-v", "ima_measurement", "--ignore-violations", "--pcrs", "sha1," + sha1,
                "--pcrs", "sha256," + sha256, file.toString());
        assertTrue(r.output().contains("Matched per TPM bank"), r.output());
        // and a list with one byte of a path changed (template hash fixed up) matches neither
        byte[] edited = editPath(log, "/usr/bin/bash", "/usr/bin/dash");
        Files.write(file, edited);
        r = ImaTools.run(dir, "evmctl", "-v", "ima_measurement", "--ignore-violations", "--pcrs", "sha256," + sha256, file.toString());
        assertTrue(r.output().contains("Failed to match"), r.output());
        assertThrows(ReplayMismatchException.class,
                () -> UntrustedImaLog.parse(edited).verifyAgainst(ImaReplayState.initial(), ours));
    }

    @Test
    void theSha256BankAloneOrTheSha1BankAloneIsEnough() throws Exception {
        byte[] log = mixed(ImaSigningKey.generate(ImaSigningKey.Type.ECDSA_P256));
        PcrValues both = replayed(log);
        for (HashAlg bank : List.of(HashAlg.SHA1, HashAlg.SHA256)) {
            PcrValues one = PcrValues.builder().put(bank, 10, both.get(bank, 10).orElseThrow()).build();
            VerifiedImaLog v = UntrustedImaLog.parse(log).verifyAgainst(ImaReplayState.initial(), one);
            assertEquals(6, v.entries().size());
            assertTrue(v.entries().get(4).isViolation());
        }
    }

    @Test
    void aViolationExtendsAllOnesNotItsZeroDigest() throws Exception {
        byte[] log = new ImaLogWriter().violation(ImaTemplate.IMA_NG, "/tmp/x", ImaHashAlgo.SHA256).toByteArray();
        byte[] ff = new byte[32];
        Arrays.fill(ff, (byte) 0xFF);
        byte[] expected = HashAlg.SHA256.digest(concat(new byte[32], ff));
        VerifiedImaLog v = UntrustedImaLog.parse(log).verifyAgainst(ImaReplayState.initial(), quote(null, expected));
        assertTrue(v.entries().get(0).isViolation());
    }

    @Test
    void tamperedListsDoNotReplay() throws Exception {
        byte[] log = mixed(ImaSigningKey.generate(ImaSigningKey.Type.ECDSA_P256));
        PcrValues quoted = replayed(log);
        List<byte[]> entries = split(log);
        // dropped entry
        for (int drop = 0; drop < entries.size(); drop++) {
            List<byte[]> l = new ArrayList<>(entries);
            l.remove(drop);
            byte[] tampered = join(l);
            int d = drop;
            ReplayMismatchException e = assertThrows(ReplayMismatchException.class,
                    () -> UntrustedImaLog.parse(tampered).verifyAgainst(ImaReplayState.initial(), quoted), "dropped " + d);
            assertEquals(2, e.mismatches().size());
            assertTrue(e.getMessage().contains("sha256:10"), e.getMessage());
        }
        // reordered entries
        for (int i = 0; i + 1 < entries.size(); i++) {
            List<byte[]> l = new ArrayList<>(entries);
            l.set(i, entries.get(i + 1));
            l.set(i + 1, entries.get(i));
            byte[] tampered = join(l);
            assertThrows(ReplayMismatchException.class,
                    () -> UntrustedImaLog.parse(tampered).verifyAgainst(ImaReplayState.initial(), quoted));
        }
        // edited path without fixing the template hash: refused while parsing, naming the entry
        byte[] edited = log.clone();
        int at = indexOf(edited, "/usr/bin/bash".getBytes(StandardCharsets.US_ASCII));
        edited[at + 9] = 'd';
        FormatException fe = assertThrows(FormatException.class, () -> UntrustedImaLog.parse(edited));
        assertTrue(fe.getMessage().startsWith("IMA entry 1 at offset 0x"), fe.getMessage());
        assertTrue(fe.getMessage().contains("template digest is not the SHA-1 of the template data"), fe.getMessage());
        // a normal entry turned into a violation (zero template hash) extends 0xFF instead
        byte[] zeroed = log.clone();
        int second = entries.get(0).length;
        Arrays.fill(zeroed, second + 4, second + 24, (byte) 0);
        assertThrows(ReplayMismatchException.class,
                () -> UntrustedImaLog.parse(zeroed).verifyAgainst(ImaReplayState.initial(), quoted));
    }

    @Test
    void incrementalReplayContinuesFromTheStoredState() throws Exception {
        byte[] log = mixed(ImaSigningKey.generate(ImaSigningKey.Type.RSA_2048));
        List<byte[]> entries = split(log);
        byte[] head = join(entries.subList(0, 2));
        byte[] tail = join(entries.subList(2, entries.size()));
        VerifiedImaLog first = UntrustedImaLog.parse(head).verifyAgainst(ImaReplayState.initial(), replayed(head));
        assertEquals(2, first.end().nextEntry());
        UntrustedImaLog rest = UntrustedImaLog.parse(tail, first.end().nextEntry());
        assertEquals(2, rest.entries().get(0).index());
        VerifiedImaLog second = rest.verifyAgainst(first.end(), replayed(log));
        assertEquals(4, second.entries().size());
        assertEquals(6, second.end().nextEntry());
        assertEquals("/usr/local/bin/app", second.entries().get(0).path());
        // the state after both steps equals the state of one full replay
        VerifiedImaLog full = UntrustedImaLog.parse(log).verifyAgainst(ImaReplayState.initial(), replayed(log));
        for (HashAlg bank : List.of(HashAlg.SHA1, HashAlg.SHA256)) {
            assertArrayEquals(full.end().pcr(bank), second.end().pcr(bank));
        }
        // the tail replayed from boot does not match
        assertThrows(ReplayMismatchException.class,
                () -> UntrustedImaLog.parse(tail, 0).verifyAgainst(ImaReplayState.initial(), replayed(log)));
        // a tail that does not start where the state stands is a caller error
        assertThrows(IllegalArgumentException.class, () -> UntrustedImaLog.parse(tail, 3).verifyAgainst(first.end(), replayed(log)));
    }

    @Test
    void theReplayStateSurvivesEncoding() throws Exception {
        byte[] log = mixed(ImaSigningKey.generate(ImaSigningKey.Type.ECDSA_P256));
        List<byte[]> entries = split(log);
        byte[] head = join(entries.subList(0, 3));
        ImaReplayState stored = ImaReplayState.decode(UntrustedImaLog.parse(head)
                .verifyAgainst(ImaReplayState.initial(), replayed(head)).end().encode());
        assertEquals(3, stored.nextEntry());
        VerifiedImaLog rest = UntrustedImaLog.parse(join(entries.subList(3, entries.size())), 3).verifyAgainst(stored, replayed(log));
        assertEquals(3, rest.entries().size());
        byte[] good = stored.encode();
        // u64 next entry (8) + bank count (1) + per bank: alg id (2) + value
        assertEquals(8 + 1 + 2 + 20 + 2 + 32, good.length);
        byte[] noBanks = good.clone();
        noBanks[8] = 0;
        assertTrue(assertThrows(FormatException.class, () -> ImaReplayState.decode(noBanks)).getMessage().contains("bank count 0 is not 1..4"));
        byte[] twice = good.clone();
        twice[9 + 22] = 0x04;  // second bank id: SHA-1 again (0x0004)
        twice[9 + 23] = 0x00;
        assertThrows(FormatException.class, () -> ImaReplayState.decode(twice));
        assertThrows(FormatException.class, () -> ImaReplayState.decode(Arrays.copyOf(good, good.length - 1)));
        assertTrue(assertThrows(FormatException.class, () -> ImaReplayState.decode(Arrays.copyOf(good, good.length + 1)))
                .getMessage().contains("trailing"));
    }

    @Test
    void entriesAfterTheQuoteStayUnverified() throws Exception {
        byte[] log = mixed(ImaSigningKey.generate(ImaSigningKey.Type.ECDSA_P256));
        List<byte[]> entries = split(log);
        PcrValues atFour = replayed(join(entries.subList(0, 4)));
        VerifiedImaLog v = UntrustedImaLog.parse(log).verifyAgainst(ImaReplayState.initial(), atFour);
        assertEquals(4, v.entries().size());
        assertEquals(2, v.uncoveredEntries());
        assertEquals(4, v.end().nextEntry());
        // an empty tail verifies against the unchanged PCR
        VerifiedImaLog none = UntrustedImaLog.parse(new byte[0], 4).verifyAgainst(v.end(), atFour);
        assertEquals(0, none.entries().size());
    }

    @Test
    void quoteWithoutPcr10IsACallerError() throws Exception {
        PcrValues other = PcrValues.builder().put(HashAlg.SHA256, 17, new byte[32]).build();
        assertThrows(IllegalArgumentException.class,
                () -> UntrustedImaLog.parse(threeEntries()).verifyAgainst(ImaReplayState.initial(), other));
    }

    @Test
    void malformedEntriesNameTheField() {
        // the legacy "ima" template and ima-buf are refused by name
        expectFormat(rawEntry(10, new byte[20], "ima", new byte[0]), "template name 'ima' is not supported");
        expectFormat(rawEntry(10, new byte[20], "ima-buf", new byte[0]), "template name 'ima-buf' is not supported");
        // another PCR than 10
        expectFormat(rawEntry(11, new byte[20], "ima-ng", ImaLogWriter.templateData("/a", ImaHashAlgo.SHA1, new byte[20], null)),
                "pcr 11 is not PCR 10");
        // template data length beyond what remains
        byte[] e = rawEntry(10, new byte[20], "ima-ng", ImaLogWriter.templateData("/a", ImaHashAlgo.SHA1, new byte[20], null));
        expectFormat(Arrays.copyOf(e, e.length - 1), "template data length");
        // d-ng with an unsupported algorithm
        expectFormat(rawEntry(10, new byte[20], "ima-ng", fields(bytes("md5:\0", new byte[16]), bytes("/a\0"))),
                "file digest algorithm 'md5' is not supported");
        // d-ng digest of the wrong size for its algorithm
        expectFormat(rawEntry(10, new byte[20], "ima-ng", fields(bytes("sha256:\0", new byte[20]), bytes("/a\0"))),
                "sha256 digest has 20 bytes, not 32");
        // n-ng without its NUL, and with a NUL inside
        expectFormat(rawEntry(10, new byte[20], "ima-ng", fields(bytes("sha1:\0", new byte[20]), bytes("/a"))), "does not end with NUL");
        expectFormat(rawEntry(10, new byte[20], "ima-ng", fields(bytes("sha1:\0", new byte[20]), bytes("/a\0b\0"))), "NUL inside");
        // an ima-ng entry with a third field
        expectFormat(rawEntry(10, new byte[20], "ima-ng", fields(bytes("sha1:\0", new byte[20]), bytes("/a\0"), new byte[0])),
                "template data has 4 trailing bytes");
        // an ima-sig entry without its sig field
        expectFormat(rawEntry(10, new byte[20], "ima-sig", fields(bytes("sha1:\0", new byte[20]), bytes("/a\0"))),
                "sig field length needs 4 bytes");
        // an absurd template name length
        byte[] longName = ByteBuffer.allocate(28 + 300).order(ByteOrder.LITTLE_ENDIAN).putInt(10).put(new byte[20]).putInt(300).array();
        expectFormat(longName, "template name length 300 exceeds the limit of 255");
    }

    @Test
    void nonUtf8PathsAreEscapedUnambiguously() throws Exception {
        byte[] data = fields(bytes("sha1:\0", new byte[20]), concat(new byte[] {'/', (byte) 0xFF, '\\'}, new byte[] {0}));
        byte[] log = rawEntry(10, HashAlg.SHA1.digest(data), "ima-ng", data);
        assertEquals("/\\xff\\\\", UntrustedImaLog.parse(log).entries().get(0).claimedPath());
    }

    @Test
    void truncationAtEveryByteIsAFormatErrorOrAShorterListThatDoesNotReplay() throws Exception {
        byte[] log = mixed(ImaSigningKey.generate(ImaSigningKey.Type.ECDSA_P256));
        PcrValues quoted = replayed(log);
        List<Integer> boundaries = new ArrayList<>();
        int b = 0;
        for (byte[] e : split(log)) {
            boundaries.add(b);
            b += e.length;
        }
        for (int n = 0; n < log.length; n++) {
            byte[] cut = Arrays.copyOf(log, n);
            if (boundaries.contains(n)) {
                UntrustedImaLog l = UntrustedImaLog.parse(cut);
                assertThrows(ReplayMismatchException.class, () -> l.verifyAgainst(ImaReplayState.initial(), quoted), "cut at " + n);
            } else {
                int at = n;
                FormatException e = assertThrows(FormatException.class, () -> UntrustedImaLog.parse(cut), "cut at " + n);
                assertTrue(e.getMessage().startsWith("IMA entry ") && !e.getMessage().contains("\n"), "cut at " + at + ": " + e.getMessage());
            }
        }
    }

    @Test
    void seededMutationsGiveAFormatErrorOrAMismatchAndNeverAnotherException() throws Exception {
        byte[] log = mixed(ImaSigningKey.generate(ImaSigningKey.Type.ECDSA_P256));
        PcrValues quoted = replayed(log);
        Random r = new Random(0x1AA);
        List<String> failures = new ArrayList<>();
        for (int round = 0; round < 3000; round++) {
            byte[] m = ImaFuzzTargets.mutate(log, r);
            String outcome;
            try {
                outcome = ImaFuzzTargets.replayAndAppraise(m, quoted);
            } catch (RuntimeException e) {
                failures.add("round " + round + ": " + e);
                continue;
            }
            // what PCR 10 covers (the template data of every entry but a violation's) must be unchanged when it verifies
            if (outcome.startsWith("verified") && !covered(m).equals(covered(log))) {
                failures.add("round " + round + ": a list with changed covered bytes verified: " + outcome);
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    /** The template data of each non-violation entry, and a marker for each violation: what PCR 10 vouches for. */
    private static List<String> covered(byte[] log) throws Exception {
        List<String> out = new ArrayList<>();
        for (UntrustedImaEntry e : UntrustedImaLog.parse(log).entries()) {
            out.add(e.isViolation() ? "violation" : HEX.formatHex(e.templateData()));
        }
        return out;
    }

    private static void expectFormat(byte[] log, String fragment) {
        FormatException e = assertThrows(FormatException.class, () -> UntrustedImaLog.parse(log));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertTrue(e.getMessage().startsWith("IMA entry 0 at offset 0x0: "), e.getMessage());
    }

    static byte[] rawEntry(int pcr, byte[] digest, String template, byte[] data) {
        byte[] name = template.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(4 + 20 + 4 + name.length + 4 + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(pcr).put(digest).putInt(name.length).put(name).putInt(data.length).put(data).array();
    }

    static byte[] fields(byte[]... f) {
        int n = 0;
        for (byte[] x : f) {
            n += 4 + x.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        for (byte[] x : f) {
            b.putInt(x.length).put(x);
        }
        return b.array();
    }

    static byte[] bytes(String s, byte[]... rest) {
        byte[] out = s.getBytes(StandardCharsets.ISO_8859_1);
        for (byte[] r : rest) {
            out = concat(out, r);
        }
        return out;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The list's entries as separate byte arrays (the list must parse). */
    static List<byte[]> split(byte[] log) throws Exception {
        List<UntrustedImaEntry> entries = UntrustedImaLog.parse(log).entries();
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            int end = i + 1 < entries.size() ? entries.get(i + 1).offset() : log.length;
            out.add(Arrays.copyOfRange(log, entries.get(i).offset(), end));
        }
        return out;
    }

    static byte[] join(List<byte[]> parts) {
        byte[] out = new byte[0];
        for (byte[] p : parts) {
            out = concat(out, p);
        }
        return out;
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    /** Replaces a path of the same length and recomputes that entry's SHA-1 template hash, as a forger would. */
    static byte[] editPath(byte[] log, String from, String to) throws Exception {
        byte[] out = log.clone();
        int at = indexOf(out, from.getBytes(StandardCharsets.US_ASCII));
        System.arraycopy(to.getBytes(StandardCharsets.US_ASCII), 0, out, at, to.length());
        for (UntrustedImaEntry e : UntrustedImaLog.parse(log).entries()) {
            if (e.claimedPath().equals(from)) {
                byte[] data = e.templateData();
                int dataAt = e.offset() + 4 + 20 + 4 + e.template().templateName().length() + 4;
                byte[] newData = Arrays.copyOfRange(out, dataAt, dataAt + data.length);
                System.arraycopy(HashAlg.SHA1.digest(newData), 0, out, e.offset() + 4, 20);
            }
        }
        return out;
    }
}
