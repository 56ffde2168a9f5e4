import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * CPU of the verifier split by stage, from the execution samples of a JFR recording of scripts/bench/verifier
 * (the load generator and the verifier in one JVM). Each sample of a verifier request thread ("verifier-http...")
 * is given to one stage: verdict signing or the database when any frame of its stack belongs to them (the
 * signature and the SQL they run are theirs), else the first frame from the top of the stack that belongs to a
 * stage (ECDSA under the appraisal is a signature check, Jackson under Jetty is JSON, TLS under a JSON writer
 * is TLS). The request threads' CPU per attestation, if given, is split in proportion.
 * Samples of other threads are counted apart: the load generator's (client side) and the verifier's
 * background threads (database commits, housekeeping). GC and JIT threads are not sampled by JFR.
 * Usage: java scripts/bench/JfrStages.java RECORDING.jfr [REQUEST_THREAD_CPU_MS_PER_ATTESTATION]
 */
public final class JfrStages {
    private static final String VERDICT = "verdict signing";
    private static final String DATABASE = "database (store, journal, H2/PostgreSQL)";

    /** Stages found anywhere in the stack win over the frames above them. */
    private static final Map<String, List<String>> ENCLOSING = new LinkedHashMap<>();
    /** Otherwise the first frame from the top of the stack that matches one of these. */
    private static final Map<String, List<String>> INNERMOST = new LinkedHashMap<>();

    static {
        ENCLOSING.put(VERDICT, List.of("io.trustbit.verifier.internal.VerdictSigner", "io.trustbit.verifier.internal.Es256"));
        ENCLOSING.put(DATABASE, List.of("org.h2.", "org.postgresql.", "com.zaxxer.", "org.flywaydb.",
                "io.trustbit.verifier.internal.Store", "io.trustbit.verifier.internal.GroupCommit",
                "io.trustbit.verifier.internal.VerdictJournal"));
        INNERMOST.put("TLS", List.of("sun.security.ssl.", "javax.net.ssl.", "com.sun.crypto.provider.",
                "org.eclipse.jetty.io.ssl.", "sun.security.util."));
        INNERMOST.put("signature checks (quote, AK)", List.of("io.trustbit.verifier.internal.FastEcdsa",
                "io.trustbit.attest.tpm2.QuoteSignatures", "org.bouncycastle.", "sun.security.ec.", "java.security.Signature",
                "io.trustbit.verifier.internal.EnrolledKeys", "io.trustbit.verifier.internal.PublicAreas"));
        INNERMOST.put("JSON", List.of("com.fasterxml.jackson.", "io.trustbit.verifier.internal.Json",
                "io.trustbit.attest.EvidenceCodec"));
        INNERMOST.put("policy, nonce, quote and log replay checks", List.of("io.trustbit.verifier.internal.Appraiser",
                "io.trustbit.verifier.internal.Nonces", "io.trustbit.verifier.internal.PolicyRegistry",
                "io.trustbit.verifier.Policy", "io.trustbit.measure.", "io.trustbit.attest."));
        INNERMOST.put("HTTP (Jetty, routing, answers)", List.of("org.eclipse.jetty.", "io.trustbit.verifier.internal.JettyAdapter",
                "io.trustbit.verifier.internal.Router", "io.trustbit.verifier.internal.Exchange",
                "io.trustbit.verifier.internal.VerifierApi", "io.trustbit.verifier.internal.Answers",
                "io.trustbit.verifier.internal.Metrics"));
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            throw new IllegalArgumentException("usage: JfrStages RECORDING.jfr [REQUEST_THREAD_CPU_MS_PER_ATTESTATION]");
        }
        double cpuPerAttestation = args.length == 2 ? Double.parseDouble(args[1]) : Double.NaN;
        Map<String, Long> request = new LinkedHashMap<>();
        ENCLOSING.keySet().forEach(k -> request.put(k, 0L));
        INNERMOST.keySet().forEach(k -> request.put(k, 0L));
        request.put("other (request threads)", 0L);
        Map<String, Long> background = new LinkedHashMap<>();
        long client = 0;
        long baseline = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                continue;
            }
            List<RecordedFrame> frames = e.getStackTrace().getFrames();
            if (any(frames, "io.trustbit.verifier.bench.LoadGenerator.ecdsa")) {
                baseline++;  // the raw ECDSA rates measured before and after the run
            } else if (any(frames, "io.trustbit.verifier.bench.")) {
                client++;
            } else {
                String thread = e.getThread("sampledThread") == null ? "" : e.getThread("sampledThread").getJavaName();
                Map<String, Long> into = thread != null && thread.startsWith("verifier-http") ? request : background;
                into.merge(stage(frames).orElse(into == request ? "other (request threads)" : "other"), 1L, Long::sum);
            }
        }
        long total = request.values().stream().mapToLong(Long::longValue).sum();
        System.out.printf("| stage (verifier request threads) | samples | share | ms CPU per attestation |%n|---|---|---|---|%n");
        for (Map.Entry<String, Long> s : request.entrySet()) {
            double share = total == 0 ? 0 : (double) s.getValue() / total;
            System.out.printf("| %s | %d | %.1f %% | %s |%n", s.getKey(), s.getValue(), share * 100,
                    Double.isNaN(cpuPerAttestation) ? "" : String.format("%.3f", share * cpuPerAttestation));
        }
        System.out.printf("| all request-thread samples | %d | 100 %% | %s |%n", total,
                Double.isNaN(cpuPerAttestation) ? "" : String.format("%.3f", cpuPerAttestation));
        System.out.printf("other samples: load generator (client side) %d, verifier background threads %s,"
                + " ECDSA baselines %d%n", client, background, baseline);
    }

    private static java.util.Optional<String> stage(List<RecordedFrame> frames) {
        for (Map.Entry<String, List<String>> s : ENCLOSING.entrySet()) {
            for (RecordedFrame f : frames) {
                if (matches(f, s.getValue())) {
                    return java.util.Optional.of(s.getKey());
                }
            }
        }
        for (RecordedFrame f : frames) {  // top of the stack first
            for (Map.Entry<String, List<String>> s : INNERMOST.entrySet()) {
                if (matches(f, s.getValue())) {
                    return java.util.Optional.of(s.getKey());
                }
            }
        }
        return java.util.Optional.empty();
    }

    private static boolean any(List<RecordedFrame> frames, String prefix) {
        return frames.stream().anyMatch(f -> name(f).startsWith(prefix));
    }

    private static boolean matches(RecordedFrame f, List<String> prefixes) {
        String n = name(f);
        return prefixes.stream().anyMatch(n::startsWith);
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }
}
