package io.trustbit.verifier.bench;

import io.trustbit.verifier.DrtmChain;
import io.trustbit.verifier.PostgresCluster;
import io.trustbit.verifier.SoftTpm;
import io.trustbit.verifier.TestVerifier;
import io.trustbit.verifier.VerifierConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Verifier load benchmark (scripts/bench/verifier): N simulated nodes with software P-256 AKs make TPM-format
 * quotes (TPMS_ATTEST/TPMT_SIGNATURE built here) against a real verifier on loopback TLS; one attestation =
 * challenge + evidence. Prints attestations/s and p50/p99 latency beside raw ECDSA P-256 verifications/s
 * measured in the same JVM. Args: {@code embedded|postgres NODES SECONDS CLIENT-THREADS}.
 */
public final class LoadGenerator {
    private LoadGenerator() {}

    public static void main(String[] args) throws Exception {
        String db = args.length > 0 ? args[0] : "embedded";
        int nodes = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 16;

        baselines();

        Path dir = Files.createTempDirectory("trustbit-bench");
        PostgresCluster pg = db.equals("postgres") ? PostgresCluster.start(true) : null;
        Consumer<VerifierConfig.Builder> cfg = pg == null ? b -> { }
                : b -> b.database(pg.jdbcUrl(), pg.user(), null).databasePoolSize(16);
        DrtmChain chain = new DrtmChain();
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/test.yaml"), chain.policyYaml("test", false));
        try (TestVerifier v = TestVerifier.start(dir, cfg)) {
            List<SoftTpm> tpms = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                SoftTpm t = new SoftTpm();
                v.enroll("bench-" + i, t);
                tpms.add(t);
            }
            byte[] log = chain.eventLog();
            var pcrs = chain.pcrs();
            HttpClient http = v.http;
            String base = v.server.url().toString();
            // warm-up, then the measured run
            run(http, base, tpms, log, pcrs, threads, 5, null);
            long[] lat = new long[4_000_000];
            AtomicLong count = new AtomicLong();
            long t0 = System.nanoTime();
            long errors = run(http, base, tpms, log, pcrs, threads, seconds, new Recorder(lat, count));
            double elapsed = (System.nanoTime() - t0) / 1e9;
            int n = (int) Math.min(count.get(), lat.length);
            long[] sorted = Arrays.copyOf(lat, n);
            Arrays.sort(sorted);
            System.out.printf("db=%s nodes=%d client-threads=%d seconds=%.1f attestations=%d errors=%d%n", db, nodes,
                    threads, elapsed, n, errors);
            System.out.printf("attestations/s: %.0f%n", n / elapsed);
            System.out.printf("latency p50: %.2f ms  p99: %.2f ms (challenge + evidence)%n",
                    sorted[n / 2] / 1e6, sorted[(int) (n * 0.99)] / 1e6);
        } finally {
            if (pg != null) {
                pg.close();
            }
        }
        baselines();
    }

    /** Raw ECDSA P-256 verifications/s: the JDK provider, and the Bouncy Castle one the verifier uses. */
    private static void baselines() throws Exception {
        System.out.printf("baseline ecdsa-p256-verify/s JDK SunEC: 1 thread %.0f, 2 threads %.0f%n",
                ecdsaVerifyRate(1, 2, "SunEC"), ecdsaVerifyRate(2, 2, "SunEC"));
        System.out.printf("baseline ecdsa-p256-verify/s Bouncy Castle (as the verifier calls it): 1 thread %.0f,"
                + " 2 threads %.0f%n", ecdsaVerifyRate(1, 2, null), ecdsaVerifyRate(2, 2, null));
    }

    record Recorder(long[] latencies, AtomicLong count) {}

    private static long run(HttpClient http, String base, List<SoftTpm> tpms, byte[] log,
            Map<io.trustbit.measure.HashAlg, Map<Integer, byte[]>> pcrs, int threads, int seconds, Recorder rec)
            throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicLong errors = new AtomicLong();
        AtomicLong next = new AtomicLong();
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            fs.add(pool.submit(() -> {
                while (System.nanoTime() < end) {
                    int i = (int) (next.getAndIncrement() % tpms.size());
                    SoftTpm tpm = tpms.get(i);
                    String node = "bench-" + i;
                    long s = System.nanoTime();
                    try {
                        HttpResponse<String> c = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/nodes/" + node
                                + "/challenge")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                                HttpResponse.BodyHandlers.ofString());
                        String body = c.body();
                        int at = body.indexOf("\"nonce\":\"") + 9;
                        byte[] nonce = HexFormat.of().parseHex(body.substring(at, at + 64));
                        SoftTpm.Quote q = tpm.new Quote(nonce, SoftTpm.sha256(DrtmChain.drtmPcrs()), pcrs);
                        byte[] attest = q.attest();
                        byte[] ev = TestVerifier.evidence(node, tpm, nonce, attest, q.signature(attest), pcrs, log);
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/nodes/" + node
                                + "/evidence")).POST(HttpRequest.BodyPublishers.ofByteArray(ev)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200 || !r.body().startsWith("{\"status\":\"affirming\"")) {
                            errors.incrementAndGet();
                            continue;
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                        continue;
                    }
                    if (rec != null) {
                        long k = rec.count().getAndIncrement();
                        if (k < rec.latencies().length) {
                            rec.latencies()[(int) k] = System.nanoTime() - s;
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdown();
        return errors.get();
    }

    /** Raw ECDSA P-256/SHA-256 verifications per second with the JDK provider, on {@code threads} threads. */
    static double ecdsaVerifyRate(int threads, int seconds, String provider) throws Exception {
        io.trustbit.verifier.internal.FastEcdsa.preferForProcess();
        KeyPair kp = SoftTpmKeys.p256();
        byte[] msg = new byte[145];
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(kp.getPrivate());
        s.update(msg);
        byte[] sig = s.sign();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicLong n = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            fs.add(pool.submit(() -> {
                Signature v = provider == null ? Signature.getInstance("SHA256withECDSA")
                        : Signature.getInstance("SHA256withECDSA", provider);
                while (System.nanoTime() < end) {
                    v.initVerify(kp.getPublic());
                    v.update(msg);
                    if (!v.verify(sig)) {
                        throw new IllegalStateException("verify failed");
                    }
                    n.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdown();
        return n.get() / (double) seconds;
    }
}
