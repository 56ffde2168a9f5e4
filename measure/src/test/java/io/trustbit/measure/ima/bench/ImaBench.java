package io.trustbit.measure.ima.bench;

import io.trustbit.measure.HashAlg;
import io.trustbit.measure.PcrValues;
import io.trustbit.measure.ima.ImaHashAlgo;
import io.trustbit.measure.ima.ImaLogWriter;
import io.trustbit.measure.ima.ImaReplayState;
import io.trustbit.measure.ima.ImaSignature;
import io.trustbit.measure.ima.ImaSigningKey;
import io.trustbit.measure.ima.RuntimePolicy;
import io.trustbit.measure.ima.UntrustedImaEntry;
import io.trustbit.measure.ima.UntrustedImaLog;
import io.trustbit.measure.ima.VerifiedImaLog;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;

/**
 * IMA appraisal benchmark (scripts/bench/ima): a generated measurement list of N entries (ima-sig, one in a
 * hundred carrying an ECDSA P-256 signature by a trusted key, the others checked against an allowlist of
 * every path) is parsed, replayed in the SHA-1 and SHA-256 banks against its PCR 10 and appraised, in full
 * and incrementally (the last K entries from the stored state). Beside it, in the same run, the raw
 * hashing the replay cannot avoid: SHA-1 and SHA-256 over the list's bytes as one stream, and per entry
 * (template data in both banks and the two PCR extends). Median of the timed repetitions after warm-up.
 * Usage: ImaBench [ENTRIES] [NEW_ENTRIES] [REPETITIONS]
 */
public final class ImaBench {
    private ImaBench() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int k = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 7;

        ImaSigningKey key = ImaSigningKey.generate(ImaSigningKey.Type.ECDSA_P256);
        RuntimePolicy.Builder pb = RuntimePolicy.builder().trust(key.publicKey()).exclude("/tmp/.*");
        ImaLogWriter w = new ImaLogWriter();
        byte[] bootAggregate = HashAlg.SHA256.digest(new byte[] {0});
        w.imaSig("boot_aggregate", ImaHashAlgo.SHA256, bootAggregate, new byte[0]);
        int signed = 0;
        for (int i = 1; i < n + k; i++) {
            String path = "/usr/lib/pkg" + (i % 997) + "/bin/file-" + i;
            byte[] digest = HashAlg.SHA256.digest(path.getBytes(StandardCharsets.UTF_8));
            if (i % 100 == 0) {
                w.imaSig(path, ImaHashAlgo.SHA256, digest, ImaSignature.sign(key, ImaHashAlgo.SHA256, digest).encode());
                signed += i < n ? 1 : 0;
            } else {
                w.imaSig(path, ImaHashAlgo.SHA256, digest, new byte[0]);
                pb.allow(path, ImaHashAlgo.SHA256, digest);
            }
        }
        RuntimePolicy policy = pb.build();
        byte[] all = w.toByteArray();
        List<UntrustedImaEntry> parsedAll = UntrustedImaLog.parse(all).entries();
        int split = parsedAll.get(n).offset();
        byte[] full = Arrays.copyOf(all, split);
        byte[] tail = Arrays.copyOfRange(all, split, all.length);
        PcrValues quoteFull = quote(UntrustedImaLog.parse(full).replay(ImaReplayState.initial()));
        PcrValues quoteAll = quote(UntrustedImaLog.parse(all).replay(ImaReplayState.initial()));
        List<byte[]> templateData = parsedAll.subList(0, n).stream().map(UntrustedImaEntry::templateData).toList();

        System.out.printf("list: %,d entries (%,d with ECDSA P-256 signatures), %,d bytes; allowlist %,d paths; incremental: %d new entries%n",
                n, signed, full.length, policy.digests().size(), k);

        double sha1Stream = median(reps, () -> HashAlg.SHA1.digest(full));
        double sha256Stream = median(reps, () -> HashAlg.SHA256.digest(full));
        double perEntry = median(reps, () -> {
            MessageDigest s1 = HashAlg.SHA1.newDigest();
            MessageDigest s256 = HashAlg.SHA256.newDigest();
            byte[] p1 = new byte[20];
            byte[] p256 = new byte[32];
            for (byte[] d : templateData) {
                byte[] h1 = s1.digest(d);
                byte[] h256 = s256.digest(d);
                s1.update(p1);
                s1.update(h1);
                p1 = s1.digest();
                s256.update(p256);
                s256.update(h256);
                p256 = s256.digest();
            }
        });
        double replay = median(reps, () -> UntrustedImaLog.parse(full).verifyAgainst(ImaReplayState.initial(), quoteFull));
        double appraisal = median(reps, () -> {
            VerifiedImaLog v = UntrustedImaLog.parse(full).verifyAgainst(ImaReplayState.initial(), quoteFull);
            if (!policy.appraise(v).isEmpty()) {
                throw new IllegalStateException("the generated list has findings");
            }
        });
        VerifiedImaLog verifiedFull = UntrustedImaLog.parse(full).verifyAgainst(ImaReplayState.initial(), quoteFull);
        double policyOnly = median(reps, () -> policy.appraise(verifiedFull));
        byte[] someDigest = HashAlg.SHA256.digest(new byte[] {1});
        ImaSignature one = ImaSignature.sign(key, ImaHashAlgo.SHA256, someDigest);
        int sigCount = signed;
        double verifies = median(reps, () -> {
            for (int i = 0; i < sigCount; i++) {
                one.verify(policy.keys(), ImaHashAlgo.SHA256, someDigest);
            }
        });
        ImaReplayState state = UntrustedImaLog.parse(full).verifyAgainst(ImaReplayState.initial(), quoteFull).end();
        double incremental = median(Math.max(reps, 51), () -> {
            VerifiedImaLog v = UntrustedImaLog.parse(tail, n).verifyAgainst(state, quoteAll);
            if (v.entries().size() != k || !policy.appraise(v).isEmpty()) {
                throw new IllegalStateException("incremental appraisal did not cover the new entries");
            }
        });

        double mb = full.length / 1e6;
        System.out.printf("baseline  SHA-1 of the list bytes (one stream)        %8.1f ms  %7.0f MB/s%n", sha1Stream * 1e3, mb / sha1Stream);
        System.out.printf("baseline  SHA-256 of the list bytes (one stream)      %8.1f ms  %7.0f MB/s%n", sha256Stream * 1e3, mb / sha256Stream);
        System.out.printf("baseline  per entry: SHA-1 + SHA-256 + 2 extends      %8.1f ms  %,9.0f entries/s%n", perEntry * 1e3, n / perEntry);
        System.out.printf("parse + replay (SHA-1 and SHA-256 banks)              %8.1f ms  %,9.0f entries/s%n", replay * 1e3, n / replay);
        System.out.printf("full appraisal (parse + replay + policy)              %8.1f ms  %,9.0f entries/s%n", appraisal * 1e3, n / appraisal);
        System.out.printf("  of which the policy checks                          %8.1f ms  %,9.0f entries/s%n", policyOnly * 1e3, n / policyOnly);
        System.out.printf("  of which %,d ECDSA P-256 signature verifications     %8.1f ms  %,9.0f verifies/s%n", signed, verifies * 1e3, signed / verifies);
        System.out.printf("incremental appraisal of %d new entries (latency)     %8.2f ms  %,9.0f entries/s%n", k, incremental * 1e3, k / incremental);
    }

    private static PcrValues quote(ImaReplayState s) {
        return PcrValues.builder().put(HashAlg.SHA1, 10, s.pcr(HashAlg.SHA1)).put(HashAlg.SHA256, 10, s.pcr(HashAlg.SHA256)).build();
    }

    private interface Body {
        void run() throws Exception;
    }

    /** Median seconds of {@code reps} timed runs after as many warm-up runs. */
    private static double median(int reps, Body body) throws Exception {
        double[] t = new double[reps];
        for (int i = 0; i < 2 * reps; i++) {
            long start = System.nanoTime();
            body.run();
            if (i >= reps) {
                t[i - reps] = (System.nanoTime() - start) / 1e9;
            }
        }
        Arrays.sort(t);
        return t[reps / 2];
    }
}
