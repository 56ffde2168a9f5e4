package io.trustbit.verifier.bench;

import io.trustbit.attest.EventLogKind;
import io.trustbit.attest.Evidence;
import io.trustbit.attest.ImaTail;
import io.trustbit.attest.NodeId;
import io.trustbit.measure.HashAlg;
import io.trustbit.measure.ima.ImaHashAlgo;
import io.trustbit.measure.ima.ImaLogWriter;
import io.trustbit.verifier.DrtmChain;
import io.trustbit.verifier.Policy;
import io.trustbit.verifier.SoftTpm;
import io.trustbit.verifier.internal.Appraiser;
import io.trustbit.verifier.internal.EnrolledKeys;
import io.trustbit.verifier.internal.PolicyRegistry;
import io.trustbit.verifier.internal.Store;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The appraisal alone (no HTTP, no database), on one thread, by CPU time: what a runtime policy adds to the
 * verifier's work per attestation, less disturbed by other load on the machine than attestations/s. The same
 * node attests {@code ROUNDS} times with and without the runtime section of {@link LoadGenerator} (10,000
 * allowed paths, 10 new IMA entries per attestation, continued from the state the previous appraisal
 * returned); quotes are made before the timing. Args: {@code [ROUNDS]}.
 */
public final class AppraisalCost {
    private AppraisalCost() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        DrtmChain chain = new DrtmChain();
        Policy plain = Policy.parse(chain.policyYaml("plain", false).getBytes(StandardCharsets.UTF_8), "plain");
        Policy runtime = Policy.parse((chain.policyYaml("runtime", false) + LoadGenerator.runtimeSection())
                .getBytes(StandardCharsets.UTF_8), "runtime");
        SoftTpm tpm = new SoftTpm();
        EnrolledKeys keys = EnrolledKeys.of(tpm.ekPublic(), tpm.akPublic());
        Appraiser appraiser = new Appraiser(1024 * 1024);
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        for (int repeat = 0; repeat < 3; repeat++) {
            List<Evidence> without = evidences(chain, tpm, rounds, false);
            List<Evidence> with = evidences(chain, tpm, rounds, true);
            long t0 = cpu.getCurrentThreadCpuTime();
            for (Evidence ev : without) {
                check(appraiser.appraise("n", ev, keys, Appraiser.NonceOutcome.OK, new PolicyRegistry.Lookup.Found(plain),
                        ev.producedAt(), null));
            }
            long t1 = cpu.getCurrentThreadCpuTime();
            Store.ImaStateRow state = null;
            for (Evidence ev : with) {
                Appraiser.Result r = appraiser.appraise("n", ev, keys, Appraiser.NonceOutcome.OK,
                        new PolicyRegistry.Lookup.Found(runtime), ev.producedAt(), state);
                check(r);
                state = r.imaState();
            }
            long t2 = cpu.getCurrentThreadCpuTime();
            double a = (t1 - t0) / 1e3 / rounds;
            double b = (t2 - t1) / 1e3 / rounds;
            System.out.printf("appraisal CPU per attestation (%d each, repeat %d): without runtime policy %.0f µs,"
                    + " with the 10,000-path runtime policy and %d new IMA entries %.0f µs (+%.0f %%)%n", rounds, repeat + 1,
                    a, LoadGenerator.IMA_ENTRIES_PER_ATTESTATION, b, (b / a - 1) * 100);
        }
    }

    private static void check(Appraiser.Result r) {
        if (!r.failures().isEmpty()) {
            throw new IllegalStateException("not affirming: " + r.failures());
        }
    }

    /** One node's consecutive evidences: quotes over PCRs 17–19 (and PCR 10 with its growing IMA list). */
    private static List<Evidence> evidences(DrtmChain chain, SoftTpm tpm, int n, boolean ima) {
        Map<HashAlg, Map<Integer, byte[]>> values = chain.pcrs();
        List<Integer> selected = DrtmChain.drtmPcrs();
        if (ima) {
            selected.add(0, 10);
        }
        byte[] pcr10 = new byte[32];
        int entries = 0;
        long bytes = 0;
        List<Evidence> out = new ArrayList<>(n);
        MessageDigest d = HashAlg.SHA256.newDigest();
        for (int i = 0; i < n; i++) {
            ImaTail tail = null;
            if (ima) {
                ImaLogWriter w = new ImaLogWriter();
                for (int k = 0; k < LoadGenerator.IMA_ENTRIES_PER_ATTESTATION; k++, entries++) {
                    String path = LoadGenerator.program(entries);
                    byte[] digest = LoadGenerator.programDigest(entries);
                    w.imaNg(path, ImaHashAlgo.SHA256, digest);
                    d.update(pcr10);
                    d.update(HashAlg.SHA256.digest(ImaLogWriter.templateData(path, ImaHashAlgo.SHA256, digest, null)));
                    pcr10 = d.digest();
                }
                byte[] log = w.toByteArray();
                tail = new ImaTail(entries - LoadGenerator.IMA_ENTRIES_PER_ATTESTATION, bytes, log);
                bytes += log.length;
                values.get(HashAlg.SHA256).put(10, pcr10);
            }
            byte[] nonce = new byte[32];
            nonce[0] = (byte) i;
            tpm.clock++;
            SoftTpm.Quote q = tpm.new Quote(nonce, SoftTpm.sha256(selected), values);
            byte[] attest = q.attest();
            Map<HashAlg, SortedMap<Integer, byte[]>> pcrs = new EnumMap<>(HashAlg.class);
            values.forEach((bank, v) -> pcrs.put(bank, new TreeMap<>(v)));
            Map<EventLogKind, byte[]> logs = new EnumMap<>(EventLogKind.class);
            logs.put(EventLogKind.DRTM, chain.eventLog());
            out.add(new Evidence(1, NodeId.of("n"), nonce, tpm.akPublic(), attest, q.signature(attest), pcrs, logs,
                    Instant.now(), tail));
        }
        return out;
    }
}
