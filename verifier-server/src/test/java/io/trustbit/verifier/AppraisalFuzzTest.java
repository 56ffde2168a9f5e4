package io.trustbit.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fuzzing of the appraisal. {@link FuzzTest} methods are Jazzer targets (run with {@code JAZZER_FUZZ=1} to
 * fuzz; in a normal test run they replay their seeds); the {@link Test} methods are seeded random-mutation
 * runs that exercise the same targets in every build.
 */
class AppraisalFuzzTest {
    private static final int ROUNDS = 1200;

    @FuzzTest(maxDuration = "60s")
    void evidenceJson(byte[] data) {
        AppraisalFuzzTargets.evidenceJson(data);
    }

    @FuzzTest(maxDuration = "60s")
    void drtmEventLog(byte[] data) {
        AppraisalFuzzTargets.drtmLog(data);
    }

    @Test
    void seedsAreAffirming() {
        assertEquals("affirming", AppraisalFuzzTargets.evidenceJson(AppraisalFuzzTargets.GOOD_EVIDENCE));
        assertEquals("affirming", AppraisalFuzzTargets.drtmLog(AppraisalFuzzTargets.CHAIN.eventLog()));
    }

    @Test
    void mutatedEvidenceJsonNeverThrows() {
        Random r = new Random(0x7B17);
        byte[] seed = AppraisalFuzzTargets.GOOD_EVIDENCE;
        for (int i = 0; i < ROUNDS; i++) {
            byte[] m = mutate(seed, r);
            try {
                AppraisalFuzzTargets.evidenceJson(m);
            } catch (RuntimeException e) {
                throw new AssertionError("round " + i + ": " + e + " for " + new String(m, java.nio.charset.StandardCharsets.ISO_8859_1), e);
            }
        }
    }

    @Test
    void mutatedDrtmLogNeverThrowsAndNeverAffirmsAChangedDigest() {
        Random r = new Random(0x106);
        byte[] seed = AppraisalFuzzTargets.CHAIN.eventLog();
        for (int i = 0; i < ROUNDS; i++) {
            byte[] m = mutate(seed, r);
            String status;
            try {
                status = AppraisalFuzzTargets.drtmLog(m);
            } catch (RuntimeException e) {
                throw new AssertionError("round " + i + ": " + e, e);
            }
            if ("affirming".equals(status) && m.length == seed.length) {
                // only bytes the digests do not cover (event data of events 1, 2 and 4, EV_NO_ACTION header
                // padding) may change without consequence; check that no digest byte changed
                assertEquals(digestRegion(seed), digestRegion(m), "round " + i + ": affirming with a changed digest");
            }
        }
    }

    /** The SHA-256 digests of the log's events, as the quote covers them. */
    private static String digestRegion(byte[] log) {
        try {
            StringBuilder sb = new StringBuilder();
            for (var e : io.trustbit.measure.UntrustedEventLog.parse(log).events()) {
                byte[] d = e.digests().get(io.trustbit.measure.HashAlg.SHA256);
                sb.append(e.pcrIndex()).append(':').append(d == null ? "-" : java.util.HexFormat.of().formatHex(d)).append(';');
            }
            return sb.toString();
        } catch (Exception e) {
            return "unparsable";
        }
    }

    /** One to four random edits: bit flips, byte sets, interesting values, insertions, deletions, truncation. */
    static byte[] mutate(byte[] seed, Random r) {
        byte[] b = seed.clone();
        int edits = 1 + r.nextInt(4);
        for (int k = 0; k < edits && b.length > 0; k++) {
            int pos = r.nextInt(b.length);
            switch (r.nextInt(7)) {
                case 0 -> b[pos] ^= (byte) (1 << r.nextInt(8));
                case 1 -> b[pos] = (byte) r.nextInt(256);
                case 2 -> b[pos] = new byte[] {0, (byte) 0xFF, 0x7F, (byte) 0x80, '"', '{', '9'}[r.nextInt(7)];
                case 3 -> {
                    int len = 1 + r.nextInt(16);
                    byte[] n = new byte[b.length + len];
                    System.arraycopy(b, 0, n, 0, pos);
                    for (int j = 0; j < len; j++) {
                        n[pos + j] = (byte) r.nextInt(256);
                    }
                    System.arraycopy(b, pos, n, pos + len, b.length - pos);
                    b = n;
                }
                case 4 -> {
                    int len = Math.min(1 + r.nextInt(32), b.length - pos);
                    byte[] n = new byte[b.length - len];
                    System.arraycopy(b, 0, n, 0, pos);
                    System.arraycopy(b, pos + len, n, pos, b.length - pos - len);
                    b = n;
                }
                case 5 -> b = Arrays.copyOf(b, pos);
                default -> {
                    // a 4-byte field set to a large value (sizes and counts)
                    if (pos + 4 <= b.length) {
                        b[pos] = (byte) 0xFF;
                        b[pos + 1] = (byte) 0xFF;
                        b[pos + 2] = (byte) r.nextInt(256);
                        b[pos + 3] = 0x7F;
                    }
                }
            }
        }
        return b;
    }
}
