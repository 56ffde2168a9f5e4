package io.trustbit.measure.ima;

import io.trustbit.measure.FormatException;
import io.trustbit.measure.PcrValues;
import io.trustbit.measure.ReplayMismatchException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/** The IMA parser, replay and appraisal as fuzz targets, with a mutator that knows the list's u32 fields. */
final class ImaFuzzTargets {
    private static final int[] BOUNDARY = {0, 1, 2, 3, 4, 8, 10, 20, 255, 256, 4097, 16384, 16385, 0x7FFF_FFFF, -1, Integer.MIN_VALUE};
    private static final RuntimePolicy POLICY;

    static {
        try {
            POLICY = RuntimePolicy.builder().allow("/usr/bin/bash", "sha256:" + "00".repeat(32)).exclude("/var/log/.*")
                    .trust(ImaSigningKey.generate(ImaSigningKey.Type.ECDSA_P256).publicKey()).build();
        } catch (FormatException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private ImaFuzzTargets() {}

    /**
     * Parses, replays against {@code quoted} and appraises; returns {@code format}, {@code mismatch} or
     * {@code verified N findings M}. Any other exception is a bug.
     */
    static String replayAndAppraise(byte[] list, PcrValues quoted) {
        UntrustedImaLog log;
        try {
            log = UntrustedImaLog.parse(list);
        } catch (ImaFormatException e) {
            if (e.getMessage().isEmpty() || e.getMessage().contains("\n")) {
                throw new IllegalStateException("unclear message: " + e.getMessage());
            }
            return "format";
        }
        try {
            VerifiedImaLog v = log.verifyAgainst(ImaReplayState.initial(), quoted);
            return "verified " + v.entries().size() + " findings " + POLICY.appraise(v).size();
        } catch (ReplayMismatchException e) {
            return "mismatch";
        }
    }

    /**
     * Parses, replays against the values the list itself claims (so every list that parses is verified and
     * appraised, and the fuzzer reaches the appraisal) and appraises; returns as {@link #replayAndAppraise}.
     */
    static String selfQuotedReplayAndAppraise(byte[] list) {
        try {
            ImaReplayState end = UntrustedImaLog.parse(list).replay(ImaReplayState.initial());
            PcrValues quote = PcrValues.builder().put(io.trustbit.measure.HashAlg.SHA1, 10, end.pcr(io.trustbit.measure.HashAlg.SHA1))
                    .put(io.trustbit.measure.HashAlg.SHA256, 10, end.pcr(io.trustbit.measure.HashAlg.SHA256)).build();
            return replayAndAppraise(list, quote);
        } catch (ImaFormatException e) {
            return "format";
        }
    }

    /** Parses and appraises a security.ima value as a signature (the appraisal of an ima-sig entry). */
    static void signature(byte[] xattr) {
        try {
            ImaSignature.parse(xattr).verify(POLICY.keys(), ImaHashAlgo.SHA256, new byte[32]);
        } catch (FormatException | ImaSignatureException e) {
            // refused, as it should be
        }
    }

    /** One to four edits: bit flips, boundary values written over u32 fields, insertions, deletions. */
    static byte[] mutate(byte[] seed, Random r) {
        byte[] b = seed.clone();
        for (int k = 1 + r.nextInt(4); k > 0 && b.length > 4; k--) {
            int pos = r.nextInt(b.length - 4);
            switch (r.nextInt(5)) {
                case 0 -> b[pos] ^= (byte) (1 << r.nextInt(8));
                case 1 -> ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(pos, BOUNDARY[r.nextInt(BOUNDARY.length)]);
                case 2 -> b[pos] = (byte) r.nextInt(256);
                case 3 -> {
                    byte[] ins = new byte[1 + r.nextInt(8)];
                    r.nextBytes(ins);
                    byte[] n = new byte[b.length + ins.length];
                    System.arraycopy(b, 0, n, 0, pos);
                    System.arraycopy(ins, 0, n, pos, ins.length);
                    System.arraycopy(b, pos, n, pos + ins.length, b.length - pos);
                    b = n;
                }
                default -> {
                    int len = Math.min(1 + r.nextInt(24), b.length - pos);
                    byte[] n = new byte[b.length - len];
                    System.arraycopy(b, 0, n, 0, pos);
                    System.arraycopy(b, pos + len, n, pos, b.length - pos - len);
                    b = n;
                }
            }
        }
        return b;
    }
}
