package io.trustbit.verifier.bench;

import io.trustbit.measure.HashAlg;
import io.trustbit.verifier.DrtmChain;
import io.trustbit.verifier.PostgresCluster;
import io.trustbit.verifier.SoftTpm;
import io.trustbit.verifier.TestVerifier;
import io.trustbit.verifier.internal.FastEcdsa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Fleet simulation (scripts/bench/fleet): verifier replicas on one durable PostgreSQL cluster, NODES simulated
 * nodes enrolled through the real enroll/activate protocol (software P-256 EK and AK), then an open-loop schedule
 * in which every node attests once per INTERVAL, the nodes spread evenly over it, for DURATION. Latency counts from
 * the scheduled time, not from when a client thread got round to it, so a verifier falling behind shows as latency
 * (no coordinated omission). Then a search over fleet sizes at a 60 s interval for the largest one whose p99 stays
 * under the bound with no error: each step runs the enrolled nodes at that fleet's rate (a node attests more often
 * than every 60 s when the fleet is larger than the enrolled nodes), with the nonce rule of a 60 s interval.
 * Every attestation is what an agent does at that interval: a challenge (the piggybacked nonce of the last answer
 * lives {@value #NONCE_LIFETIME_SECONDS} s, so it is only used when the interval leaves
 * {@link LoadGenerator#NEXT_MARGIN_MILLIS} ms of it) and evidence with a fresh quote, every check on.
 * Args: {@code NODES INTERVAL-SECONDS DURATION-SECONDS REPLICAS STEP-SECONDS P99-BOUND-MS CLIENT-THREADS}
 * (STEP-SECONDS 0: no search).
 */
public final class FleetSim {
    private FleetSim() {}

    static final int NONCE_LIFETIME_SECONDS = 60;
    /** The interval the search is about: the fleet attests every 60 s. */
    static final int SEARCH_INTERVAL_SECONDS = 60;
    /** A step that has fallen this far behind its schedule stops: the rest of its attestations count as missed. */
    static final long GIVE_UP_LAG_NANOS = 30_000_000_000L;

    /** What one open-loop phase measured. */
    record Outcome(double rate, long scheduled, long affirming, long errors, long missed, double seconds, double p50,
            double p99, double max, double cpuMillisPerAttestation, double coresUsed) {
        boolean passes(double p99BoundMillis) {
            return errors == 0 && missed == 0 && p99 <= p99BoundMillis;
        }

        String line() {
            return String.format("target %.0f/s, achieved %.0f/s: %d scheduled, %d affirming, %d errors, %d missed;"
                    + " latency from the scheduled time p50 %.1f ms, p99 %.1f ms, max %.1f ms; CPU %.2f ms per"
                    + " attestation, %.2f cores", rate, affirming / seconds, scheduled, affirming, errors, missed, p50, p99,
                    max, cpuMillisPerAttestation, coresUsed);
        }
    }

    public static void main(String[] args) throws Exception {
        int nodes = Integer.parseInt(args[0]);
        int interval = Integer.parseInt(args[1]);
        int duration = Integer.parseInt(args[2]);
        int replicas = Integer.parseInt(args[3]);
        int step = Integer.parseInt(args[4]);
        double bound = Double.parseDouble(args[5]);
        int threads = Integer.parseInt(args[6]);
        System.out.printf("fleet: %d nodes, every %d s (%.1f attestations/s), %d s, %d verifier replica(s) on one"
                + " PostgreSQL (fsync on), %d client threads; p99 bound %.0f ms%n", nodes, interval, nodes / (double) interval,
                duration, replicas, threads, bound);
        System.out.printf("machine load average: %s%n", LoadGenerator.loadAverage());
        LoadGenerator.baselines();

        Path dir = Files.createTempDirectory("trustbit-fleet");
        try (PostgresCluster pg = PostgresCluster.start(true)) {
            simulate(pg, dir, nodes, interval, duration, replicas, step, bound, threads);
        }
        LoadGenerator.baselines();
    }

    private static void simulate(PostgresCluster pg, Path dir, int nodes, int interval, int duration, int replicas,
            int step, double bound, int threads) throws Exception {
        List<TestVerifier> verifiers = new ArrayList<>();
        try {
            DrtmChain chain = new DrtmChain();
            Path policies = dir.resolve("policies");
            Files.createDirectories(policies);
            Files.writeString(policies.resolve("test.yaml"), chain.policyYaml("test", false));
            for (int r = 0; r < replicas; r++) {
                String replica = "replica-" + r;
                verifiers.add(TestVerifier.start(dir.resolve(replica), c -> c.database(pg.jdbcUrl(), pg.user(), null)
                        .databasePoolSize(16).replicaId(replica).policiesDir(policies)
                        .nonceLifetime(Duration.ofSeconds(NONCE_LIFETIME_SECONDS))));
            }
            List<LoadGenerator.Node> fleet = enroll(verifiers, chain, nodes);
            List<LoadGenerator.Target> targets = new ArrayList<>();
            for (TestVerifier v : verifiers) {
                targets.add(new LoadGenerator.Target(v.server.certificate(), v.server.port()));
            }
            System.out.println("## warm-up, 15 s at the fleet's rate (not counted)");
            System.out.println(phase(targets, fleet, nodes / (double) interval, 15, interval, threads).line());
            System.out.printf("## the fleet: %d nodes every %d s for %d s%n", nodes, interval, duration);
            Outcome main = phase(targets, fleet, nodes / (double) interval, duration, interval, threads);
            System.out.println(main.line());
            System.out.printf("fleet result: %s (p99 bound %.0f ms, no error)%n", main.passes(bound) ? "PASS" : "FAIL",
                    bound);
            if (step > 0) {
                search(targets, fleet, step, bound, threads);
            }
            System.out.printf("machine load average: %s%n", LoadGenerator.loadAverage());
        } finally {
            // the replicas stop before their database does
            verifiers.forEach(TestVerifier::close);
        }
    }

    /** Enrolls {@code count} nodes, spread over the replicas, on a few threads; their quote templates are made once. */
    static List<LoadGenerator.Node> enroll(List<TestVerifier> verifiers, DrtmChain chain, int count) throws Exception {
        byte[] log = chain.eventLog();
        Map<HashAlg, Map<Integer, byte[]>> pcrs = chain.pcrs();
        LoadGenerator.Node[] fleet = new LoadGenerator.Node[count];
        AtomicInteger next = new AtomicInteger();
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                fs.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        TestVerifier v = verifiers.get(i % verifiers.size());
                        SoftTpm tpm = new SoftTpm();
                        String id = "fleet-" + i;
                        TestVerifier.enroll(v.http, v.server.url(), id, tpm);
                        fleet[i] = new LoadGenerator.Node(id, tpm, pcrs, log);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        fleet[0].checkEncoding();
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("enrolled %d nodes (enroll + activate each) in %.1f s: %.0f/s%n", count, s, count / s);
        return Arrays.asList(fleet);
    }

    /**
     * Attestation {@code j} of the phase is due at {@code start + j / rate} and is made by node {@code j mod fleet};
     * client thread {@code t} talks to replica {@code t mod replicas}. A thread takes the next due attestation,
     * waits for its time if it is early and measures until the verdict.
     */
    static Outcome phase(List<LoadGenerator.Target> targets, List<LoadGenerator.Node> fleet, double rate, int seconds,
            int nominalInterval, int threads) throws Exception {
        long total = (long) (rate * seconds);
        long period = (long) (1e9 / rate);
        boolean piggyback = NONCE_LIFETIME_SECONDS * 1000L >= nominalInterval * 1000L + LoadGenerator.NEXT_MARGIN_MILLIS;
        long[] latency = new long[(int) total];
        boolean[] affirming = new boolean[(int) total];
        AtomicLong next = new AtomicLong();
        AtomicLong missed = new AtomicLong();
        AtomicLong challenges = new AtomicLong();
        long cpu0 = LoadGenerator.processCpuNanos();
        long start = System.nanoTime() + 100_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                LoadGenerator.Target target = targets.get(t % targets.size());
                fs.add(pool.submit(() -> {
                    Signature ecdsa = Signature.getInstance("SHA256withPLAIN-ECDSA", FastEcdsa.BC);
                    try (LoadGenerator.Connection http = new LoadGenerator.Connection(target)) {
                        for (long j = next.getAndIncrement(); j < total; j = next.getAndIncrement()) {
                            long due = start + j * period;
                            long now = System.nanoTime();
                            if (now - due > GIVE_UP_LAG_NANOS) {
                                missed.incrementAndGet();
                                continue;
                            }
                            if (due > now) {
                                LockSupport.parkNanos(due - now);
                            }
                            LoadGenerator.Node node = fleet.get((int) (j % fleet.size()));
                            try {
                                affirming[(int) j] = LoadGenerator.attestation(http, node, ecdsa, piggyback, challenges)
                                        == LoadGenerator.Answer.AFFIRMING;
                            } catch (Exception e) {
                                http.close();
                            }
                            latency[(int) j] = System.nanoTime() - due;
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        double cpu = (LoadGenerator.processCpuNanos() - cpu0) / 1e9;
        long done = total - missed.get();
        long ok = 0;
        long[] sorted = new long[(int) done];
        int n = 0;
        for (int j = 0; j < total; j++) {
            if (latency[j] > 0) {
                sorted[n++] = latency[j];
                ok += affirming[j] ? 1 : 0;
            }
        }
        Arrays.sort(sorted, 0, n);
        double p50 = n == 0 ? 0 : sorted[n / 2] / 1e6;
        double p99 = n == 0 ? 0 : sorted[Math.min(n - 1, (int) (n * 0.99))] / 1e6;
        double max = n == 0 ? 0 : sorted[n - 1] / 1e6;
        return new Outcome(rate, total, ok, done - ok, missed.get(), elapsed, p50, p99, max,
                cpu * 1e3 / Math.max(1, ok), cpu / elapsed);
    }

    /**
     * The largest fleet at a 60 s interval that passes: fleet sizes doubling from 1,500 until one fails, then
     * three halvings of the gap between the last pass and the first failure.
     */
    static void search(List<LoadGenerator.Target> targets, List<LoadGenerator.Node> fleet, int seconds, double bound,
            int threads) throws Exception {
        System.out.printf("## search: the largest fleet every %d s with p99 under %.0f ms and no error, %d s per step%n",
                SEARCH_INTERVAL_SECONDS, bound, seconds);
        int pass = 0;
        int fail = 0;
        for (int size = 1_500; fail == 0 && size <= 1_536_000; size *= 2) {
            if (step(targets, fleet, size, seconds, bound, threads)) {
                pass = size;
            } else {
                fail = size;
            }
        }
        for (int k = 0; k < 3 && fail > 0 && fail - pass > 1_000; k++) {
            int size = (pass + fail) / 2;
            if (step(targets, fleet, size, seconds, bound, threads)) {
                pass = size;
            } else {
                fail = size;
            }
        }
        System.out.printf("largest passing fleet at a %d s interval: %d nodes (%.0f attestations/s); smallest failing:"
                + " %s%n", SEARCH_INTERVAL_SECONDS, pass, pass / (double) SEARCH_INTERVAL_SECONDS,
                fail == 0 ? "none tried" : fail + " nodes");
    }

    private static boolean step(List<LoadGenerator.Target> targets, List<LoadGenerator.Node> fleet, int size,
            int seconds, double bound, int threads) throws Exception {
        Outcome o = phase(targets, fleet, size / (double) SEARCH_INTERVAL_SECONDS, seconds, SEARCH_INTERVAL_SECONDS,
                threads);
        boolean passes = o.passes(bound);
        System.out.printf("fleet %d: %s; %s%n", size, passes ? "pass" : "FAIL", o.line());
        return passes;
    }
}
