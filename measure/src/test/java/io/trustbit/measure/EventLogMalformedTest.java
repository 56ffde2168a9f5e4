package io.trustbit.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.trustbit.measure.internal.LeWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Hostile logs: every failure is a clean EventLogFormatException naming field and offset. */
class EventLogMalformedTest {

    private static byte[] drtmLog() {
        return new EventLogWriter(List.of(HashAlg.SHA1, HashAlg.SHA256))
                .extendData(17, EventType.TB_VMM, "vmm".getBytes())
                .extendData(18, EventType.TB_LAUNCH_TYPE, "launch-type=skinit".getBytes())
                .toByteArray();
    }

    /** Parses and replays; anything other than success or EventLogFormatException fails the test. */
    private static void parseCleanly(byte[] log, String what) {
        try {
            UntrustedEventLog.parse(log).replay();
        } catch (EventLogFormatException e) {
            if (e.getMessage() == null || e.getMessage().isBlank() || e.getMessage().contains("\n")) {
                fail(what + ": message must be one non-empty line: " + e.getMessage());
            }
        } catch (RuntimeException e) {
            throw new AssertionError(what + ": " + e, e);
        }
    }

    @Test
    void truncationAtEveryByteOfEveryRealLogIsAFormatError() throws Exception {
        for (Path p : TestData.tpm2ToolsLogs()) {
            byte[] log = Files.readAllBytes(p);
            List<Integer> eventEnds = eventEnds(log);
            for (int len = 0; len < log.length; len++) {
                byte[] cut = Arrays.copyOf(log, len);
                if (eventEnds.contains(len)) {
                    parseCleanly(cut, p.getFileName() + " cut at " + len); // a shorter, valid log
                } else {
                    int n = len;
                    assertThrows(EventLogFormatException.class, () -> UntrustedEventLog.parse(cut),
                            () -> p.getFileName() + " truncated to " + n + " bytes");
                }
            }
        }
    }

    /** Offsets where an event ends, so a cut there leaves a well-formed shorter log. */
    private static List<Integer> eventEnds(byte[] log) throws EventLogFormatException {
        UntrustedEventLog parsed = UntrustedEventLog.parse(log);
        List<Integer> ends = new ArrayList<>();
        for (UntrustedEvent e : parsed.events()) {
            ends.add(e.offset());
        }
        ends.add(log.length);
        if (parsed.format() == UntrustedEventLog.Format.LEGACY_SHA1) {
            ends.remove(Integer.valueOf(0)); // an empty log is refused
        }
        return ends;
    }

    @Test
    void oversizedEventSizeNamesEventFieldAndRemaining() throws Exception {
        byte[] log = drtmLog();
        UntrustedEvent second = UntrustedEventLog.parse(log).events().get(1);
        // eventSize sits after pcrIndex(4) eventType(4) digestCount(4) sha1(2+20) sha256(2+32)
        int at = second.offset() + 4 + 4 + 4 + 22 + 34;
        byte[] bad = log.clone();
        Arrays.fill(bad, at, at + 4, (byte) 0xFF);
        EventLogFormatException e = assertThrows(EventLogFormatException.class, () -> UntrustedEventLog.parse(bad));
        int remaining = log.length - at - 4;
        assertEquals(String.format("event 2 at offset 0x%x: eventSize 4294967295 exceeds remaining %d bytes (offset 0x%x)",
                second.offset(), remaining, at), e.getMessage());
        // one byte more than what is left
        LeWriter w = new LeWriter();
        w.u32(remaining + 1);
        System.arraycopy(w.toByteArray(), 0, bad, at, 4);
        EventLogFormatException e2 = assertThrows(EventLogFormatException.class, () -> UntrustedEventLog.parse(bad));
        assertTrue(e2.getMessage().contains("eventSize " + (remaining + 1) + " exceeds remaining " + remaining + " bytes"),
                e2.getMessage());
        // exactly what remains is fine only if nothing else follows: here it is the last event
        w = new LeWriter();
        w.u32(remaining);
        System.arraycopy(w.toByteArray(), 0, bad, at, 4);
        UntrustedEventLog.parse(bad);
    }

    @Test
    void digestCountAboveCapIsRefused() throws Exception {
        byte[] log = drtmLog();
        int at = UntrustedEventLog.parse(log).events().get(0).offset() + 8;
        for (long count : new long[] {9, 0x7FFFFFFFL, 0xFFFFFFFFL}) {
            byte[] bad = log.clone();
            LeWriter w = new LeWriter().u32(count);
            System.arraycopy(w.toByteArray(), 0, bad, at, 4);
            EventLogFormatException e = assertThrows(EventLogFormatException.class, () -> UntrustedEventLog.parse(bad));
            assertTrue(e.getMessage().contains("digestCount " + count + " exceeds the limit of 8"), e.getMessage());
        }
    }

    @Test
    void unknownAlgorithmsAreRefused() throws Exception {
        byte[] log = drtmLog();
        // Spec ID header: algorithm table starts at 32 + 16 + 4 + 4 + 4 = 60
        byte[] badHeader = log.clone();
        badHeader[60] = 0x12; // SM3_256, not supported
        badHeader[61] = 0x00;
        EventLogFormatException e = assertThrows(EventLogFormatException.class, () -> UntrustedEventLog.parse(badHeader));
        assertTrue(e.getMessage().contains("algorithmId[0] 0x0012"), e.getMessage());
        // an event digest with an algorithm the header does not declare
        int at = UntrustedEventLog.parse(log).events().get(0).offset() + 12;
        byte[] badEvent = log.clone();
        badEvent[at] = 0x0C; // SHA-384
        e = assertThrows(EventLogFormatException.class, () -> UntrustedEventLog.parse(badEvent));
        assertTrue(e.getMessage().contains("digests[0].hashAlg 0x000c is not an algorithm of the Spec ID header"),
                e.getMessage());
    }

    @Test
    void trailingGarbageIsRefused() throws Exception {
        byte[] log = drtmLog();
        for (int extra = 1; extra < 40; extra++) {
            byte[] bad = Arrays.copyOf(log, log.length + extra);
            Arrays.fill(bad, log.length, bad.length, (byte) 0xA5);
            assertThrows(EventLogFormatException.class, () -> UntrustedEventLog.parse(bad));
        }
    }

    @Test
    void pcrIndexOutOfRangeIsRefused() throws Exception {
        byte[] log = drtmLog();
        byte[] bad = log.clone();
        bad[UntrustedEventLog.parse(log).events().get(0).offset()] = 24;
        EventLogFormatException e = assertThrows(EventLogFormatException.class, () -> UntrustedEventLog.parse(bad));
        assertTrue(e.getMessage().contains("pcrIndex 24 outside 0..23"), e.getMessage());
    }

    @Test
    void startupLocalityAfterPcr0MeasurementIsRefused() {
        byte[] log = new EventLogWriter(List.of(HashAlg.SHA256)).extendData(0, 1, new byte[] {1}).toByteArray();
        byte[] loc = new EventLogWriter(List.of(HashAlg.SHA256)).startupLocality(3).toByteArray();
        int headerLen = new EventLogWriter(List.of(HashAlg.SHA256)).toByteArray().length;
        byte[] both = Arrays.copyOf(log, log.length + loc.length - headerLen);
        System.arraycopy(loc, headerLen, both, log.length, loc.length - headerLen);
        EventLogFormatException e = assertThrows(EventLogFormatException.class, () -> UntrustedEventLog.parse(both));
        assertTrue(e.getMessage().contains("StartupLocality follows a PCR 0 measurement"), e.getMessage());
    }

    @Test
    void startupLocalitySetsPcr0StartValue() throws Exception {
        byte[] log = new EventLogWriter(List.of(HashAlg.SHA256)).startupLocality(3)
                .extendData(0, 1, new byte[] {1}).toByteArray();
        byte[] start = new byte[32];
        start[31] = 3;
        PcrBank bank = new PcrBank(HashAlg.SHA256);
        bank.startAtLocality(0, 3);
        bank.extend(0, HashAlg.SHA256.digest(new byte[] {1}));
        assertTrue(Arrays.equals(bank.value(0), UntrustedEventLog.parse(log).replay().get(HashAlg.SHA256, 0).orElseThrow()));
    }

    /** Random mutations of real logs, fixed seed: nothing but EventLogFormatException may escape. */
    @Test
    void fuzzMutationsOfRealLogs() throws Exception {
        Random rnd = new Random(0x7b17b17L);
        List<byte[]> seeds = new ArrayList<>();
        for (Path p : TestData.tpm2ToolsLogs()) {
            seeds.add(Files.readAllBytes(p));
        }
        seeds.add(drtmLog());
        for (int i = 0; i < 4000; i++) {
            byte[] log = seeds.get(rnd.nextInt(seeds.size())).clone();
            int mutations = 1 + rnd.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                log = mutate(log, rnd);
            }
            parseCleanly(log, "mutation " + i);
        }
    }

    private static byte[] mutate(byte[] log, Random rnd) {
        if (log.length == 0) {
            return new byte[] {(byte) rnd.nextInt()};
        }
        int at = rnd.nextInt(log.length);
        switch (rnd.nextInt(6)) {
            case 0 -> log[at] ^= (byte) (1 << rnd.nextInt(8));
            case 1 -> log[at] = (byte) rnd.nextInt();
            case 2 -> { // a 32-bit field set to a boundary value
                int v = new int[] {0, 1, 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, 0x1000000, 8, 9}[rnd.nextInt(9)];
                for (int k = 0; k < 4 && at + k < log.length; k++) {
                    log[at + k] = (byte) (v >>> (8 * k));
                }
            }
            case 3 -> log = Arrays.copyOf(log, at);
            case 4 -> { // insert random bytes
                byte[] ins = new byte[1 + rnd.nextInt(16)];
                rnd.nextBytes(ins);
                byte[] out = new byte[log.length + ins.length];
                System.arraycopy(log, 0, out, 0, at);
                System.arraycopy(ins, 0, out, at, ins.length);
                System.arraycopy(log, at, out, at + ins.length, log.length - at);
                log = out;
            }
            default -> { // delete a range
                int len = Math.min(1 + rnd.nextInt(32), log.length - at);
                byte[] out = new byte[log.length - len];
                System.arraycopy(log, 0, out, 0, at);
                System.arraycopy(log, at + len, out, at, log.length - at - len);
                log = out;
            }
        }
        return log;
    }
}
