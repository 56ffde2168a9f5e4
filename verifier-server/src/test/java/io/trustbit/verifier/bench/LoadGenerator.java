package io.trustbit.verifier.bench;

import io.trustbit.attest.EventLogKind;
import io.trustbit.attest.Evidence;
import io.trustbit.attest.EvidenceCodec;
import io.trustbit.measure.HashAlg;
import io.trustbit.testkit.Bytes;
import io.trustbit.verifier.DrtmChain;
import io.trustbit.verifier.PostgresCluster;
import io.trustbit.verifier.SoftTpm;
import io.trustbit.verifier.TestVerifier;
import io.trustbit.verifier.VerifierConfig;
import io.trustbit.verifier.WebhookConfig;
import io.trustbit.verifier.WebhookReceiver;
import io.trustbit.verifier.internal.FastEcdsa;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * Verifier load benchmark (scripts/bench/verifier): N simulated nodes with software P-256 AKs make TPM-format
 * quotes (TPMS_ATTEST/TPMT_SIGNATURE) against a real verifier on loopback TLS; one attestation = evidence over
 * the nonce the previous answer carried ({@code next}), or challenge + evidence when there is none or it is about
 * to expire (always with {@code challenge-each-time}), over a kept-alive HTTP/1.1 connection per client thread.
 * Every attestation is a fresh nonce
 * from the verifier, a fresh quote signature over it and a full appraisal; what a real node computes once (its
 * AK public area, the quote bytes around the nonce, the encoded event log and PCR values) is computed once
 * here too. Prints attestations/s and p50/p99 latency beside raw ECDSA P-256 rates measured in the same JVM.
 * Args: {@code embedded|postgres NODES SECONDS CLIENT-THREADS [piggyback|challenge-each-time [REQUEST-THREADS
 * [runtime | WEBHOOKS [FLAP-EVERY]]]]} (REQUEST-THREADS: the verifier's {@code limits.requestThreads}; absent or 0: its
 * default; WEBHOOKS: how many webhooks to configure, each a receiver on loopback in this JVM; default 0;
 * FLAP-EVERY: every N-th evidence of a node carries a wrong PCR value, so that its verdict turns contraindicated
 * and back, two transitions; default 0: never; those verdicts count as attestations and are printed apart as
 * contraindicated as intended, while errors are failed requests and verdicts other than the one asked for).
 * {@code runtime}: the policy has a runtime section of {@value #RUNTIME_PATHS} allowed paths, and every attestation
 * brings {@value #IMA_ENTRIES_PER_ATTESTATION} new IMA entries (PCR 10 quoted, the list sent from where the
 * verifier's appraisal stands, as the agent does), which the verifier replays and appraises.
 */
public final class LoadGenerator {
    private LoadGenerator() {}

    static final int RUNTIME_PATHS = 10_000;
    static final int IMA_ENTRIES_PER_ATTESTATION = 10;
    private static boolean runtime;

    public static void main(String[] args) throws Exception {
        String db = args.length > 0 ? args[0] : "embedded";
        int nodes = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 16;
        challengeEachTime = args.length > 4 && args[4].equals("challenge-each-time");
        int requestThreads = args.length > 5 ? Integer.parseInt(args[5]) : 0;
        runtime = args.length > 6 && args[6].equals("runtime");
        int webhooks = args.length > 6 && !runtime ? Integer.parseInt(args[6]) : 0;
        int flapEvery = args.length > 7 && !runtime ? Integer.parseInt(args[7]) : 0;
        System.out.println("mode: " + (challengeEachTime ? "challenge-each-time" : "piggyback") + ", request threads: "
                + (requestThreads == 0 ? "default" : requestThreads) + ", runtime policy: " + (runtime ? RUNTIME_PATHS
                + " paths, " + IMA_ENTRIES_PER_ATTESTATION + " new IMA entries per attestation" : "none")
                + ", webhooks: " + webhooks
                + (flapEvery > 0 ? ", every " + flapEvery + "th evidence of a node contraindicated" : ""));

        baselines();

        Path dir = Files.createTempDirectory("trustbit-bench");
        PostgresCluster pg = db.equals("postgres") ? PostgresCluster.start(true) : null;
        Consumer<VerifierConfig.Builder> database = pg == null ? b -> { }
                : b -> b.database(pg.jdbcUrl(), pg.user(), null).databasePoolSize(16);
        List<WebhookReceiver> receivers = new ArrayList<>();
        List<WebhookConfig> hooks = new ArrayList<>();
        for (int i = 0; i < webhooks; i++) {
            receivers.add(new WebhookReceiver());
            WebhookReceiver.secret(dir.resolve("hook-" + i + ".whsec"));
            hooks.add(new WebhookConfig("hook-" + i, receivers.get(i).url("/hook"), dir.resolve("hook-" + i + ".whsec"),
                    Set.of()));
        }
        Consumer<VerifierConfig.Builder> cfg = database.andThen(b -> b.requestThreads(requestThreads).webhooks(hooks));
        DrtmChain chain = new DrtmChain();
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/test.yaml"), chain.policyYaml("test", false) + (runtime ? runtimeSection() : ""));
        try (TestVerifier v = TestVerifier.start(dir, cfg)) {
            byte[] log = chain.eventLog();
            Map<HashAlg, Map<Integer, byte[]>> pcrs = chain.pcrs();
            List<Node> fleet = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                SoftTpm t = new SoftTpm();
                v.enroll("bench-" + i, t);
                Node node = new Node("bench-" + i, t, pcrs, log);
                node.flapEvery = flapEvery;
                fleet.add(node);
            }
            fleet.get(0).checkEncoding();
            Target target = new Target(v.server.certificate(), v.server.port());
            // warm-up (the JIT compiles the hot paths), then the measured run
            run(target, fleet, threads, 10, null, new AtomicLong());
            long[] lat = new long[4_000_000];
            AtomicLong count = new AtomicLong();
            AtomicLong clientCpu = new AtomicLong();
            Map<Long, Long> server0 = serverThreadCpu();
            long cpu0 = processCpuNanos();
            Recording profile = startProfile();
            long t0 = System.nanoTime();
            CHALLENGES.set(0);
            Answers answers = run(target, fleet, threads, seconds, new Recorder(lat, count), clientCpu);
            double elapsed = (System.nanoTime() - t0) / 1e9;
            if (profile != null) {
                profile.stop();
                profile.close();
            }
            double cpu = (processCpuNanos() - cpu0) / 1e9;
            long serverCpu = 0;
            for (Map.Entry<Long, Long> e : serverThreadCpu().entrySet()) {
                serverCpu += e.getValue() - server0.getOrDefault(e.getKey(), 0L);
            }
            int n = (int) Math.min(count.get(), lat.length);
            long[] sorted = Arrays.copyOf(lat, n);
            Arrays.sort(sorted);
            System.out.printf("db=%s nodes=%d client-threads=%d seconds=%.1f attestations=%d errors=%d runtime=%s%n", db,
                    nodes, threads, elapsed, n, answers.errors(), runtime ? RUNTIME_PATHS + "-paths" : "none");
            if (flapEvery > 0) {
                System.out.printf("of the attestations, contraindicated as intended (every %dth evidence of a node): %d%n",
                        flapEvery, answers.contraindicatedAsIntended());
            }
            System.out.printf("attestations/s: %.0f%n", n / elapsed);
            System.out.printf("latency p50: %.2f ms  p99: %.2f ms (evidence, plus a challenge when no piggybacked"
                    + " nonce was valid); challenge requests: %d%n", sorted[n / 2] / 1e6, sorted[(int) (n * 0.99)] / 1e6,
                    CHALLENGES.get());
            double per = 1e3 / Math.max(1, n);
            System.out.printf("CPU per attestation: %.2f ms = verifier request threads %.2f + load generator %.2f"
                    + " + other JVM threads (GC, JIT, database background) %.2f; the JVM used %.2f of %d cores%n",
                    cpu * per, serverCpu / 1e9 * per, clientCpu.get() / 1e9 * per,
                    (cpu - serverCpu / 1e9 - clientCpu.get() / 1e9) * per, cpu / elapsed,
                    Runtime.getRuntime().availableProcessors());
            System.out.printf("machine load average: %s%n", loadAverage());
            for (WebhookReceiver r : receivers) {
                System.out.printf("webhook events received: %d%n", r.received("/hook").size());
            }
        } finally {
            receivers.forEach(WebhookReceiver::close);
            if (pg != null) {
                pg.close();
            }
        }
        baselines();
    }

    /** The allowed program of index {@code i}: its path and SHA-256 file digest. */
    static String program(int i) {
        return String.format("/usr/bin/program-%05d", i % RUNTIME_PATHS);
    }

    static byte[] programDigest(int i) {
        return HashAlg.SHA256.digest(program(i).getBytes(StandardCharsets.US_ASCII));
    }

    /** A runtime section allowing {@link #RUNTIME_PATHS} programs, one digest each. */
    static String runtimeSection() {
        StringBuilder y = new StringBuilder("runtime:\n  digests:\n");
        for (int i = 0; i < RUNTIME_PATHS; i++) {
            y.append("    \"").append(program(i)).append("\": [\"sha256:").append(HexFormat.of().formatHex(programDigest(i)))
                    .append("\"]\n");
        }
        return y.toString();
    }

    /**
     * A Flight Recorder recording (profile settings, Java samples every 2 ms instead of 10 for enough of them in a
     * short run) of the measured run only, into the file named by the system property {@code trustbit.bench.jfr},
     * if set (scripts/bench/verifier --jfr); else null.
     */
    private static Recording startProfile() throws IOException, java.text.ParseException {
        String file = System.getProperty("trustbit.bench.jfr");
        if (file == null) {
            return null;
        }
        Recording r = new Recording(Configuration.getConfiguration("profile"));
        r.enable("jdk.ExecutionSample").withPeriod(java.time.Duration.ofMillis(2));
        r.setDestination(Path.of(file));
        r.start();
        return r;
    }

    /** Raw ECDSA P-256 rates: verify with the JDK provider and Bouncy Castle, sign with Bouncy Castle. */
    static void baselines() throws Exception {
        System.out.printf("baseline ecdsa-p256-verify/s JDK SunEC: 1 thread %.0f, 2 threads %.0f%n",
                ecdsaVerifyRate(1, 2, "SunEC"), ecdsaVerifyRate(2, 2, "SunEC"));
        System.out.printf("baseline ecdsa-p256-verify/s Bouncy Castle, key prepared once (as the verifier calls it):"
                + " 1 thread %.0f, 2 threads %.0f%n", ecdsaVerifyRate(1, 2, "BC"), ecdsaVerifyRate(2, 2, "BC"));
        System.out.printf("baseline ecdsa-p256-sign/s Bouncy Castle: 1 thread %.0f%n", ecdsaSignRate(2));
    }

    record Recorder(long[] latencies, AtomicLong count) {}

    /** One simulated node: its AK, and the parts of its quote and evidence that do not change between quotes. */
    static final class Node {
        final String id;
        final PrivateKey akKey;
        final byte[] akPublic;
        final byte[] attestTemplate;
        final int nonceOffset;
        /** The next challenge from the last evidence answer, and until when it is valid. */
        byte[] nextNonce;
        long nextExpiresAt;
        final byte[] challengeRequestPath;
        final byte[] evidenceRequestPath;
        final String jsonHead;
        final String jsonPcrsAndLog;
        /** The same with PCR 17 wrong: the quote's digest does not match (check pcr.digest, contraindicated). */
        final String jsonWrongPcrsAndLog;
        /** Every N-th evidence carries {@link #jsonWrongPcrsAndLog} (0: never); whether the last one did. */
        int flapEvery;
        int evidenceCount;
        boolean lastEvidenceWrong;
        long clock = 1_000_000;
        // runtime mode: the node's IMA measurement list, PCR 10, and how far the verifier has appraised the list
        private final ByteArrayOutputStream imaList = new ByteArrayOutputStream();
        private byte[] pcr10 = new byte[32];
        private final Map<HashAlg, Map<Integer, byte[]>> pcrs;
        private int measured;
        private int appraisedEntries;
        private int appraisedBytes;

        Node(String id, SoftTpm tpm, Map<HashAlg, Map<Integer, byte[]>> pcrs, byte[] log) {
            this.id = id;
            this.akKey = FastEcdsa.bcPrivateKey(tpm.ak.getPrivate());
            this.akPublic = tpm.akPublic();
            this.pcrs = new java.util.TreeMap<>(pcrs);
            this.pcrs.replaceAll((bank, values) -> new java.util.TreeMap<>(values));
            List<Integer> selected = DrtmChain.drtmPcrs();
            if (runtime) {
                this.pcrs.get(HashAlg.SHA256).put(10, pcr10);
                selected.add(0, 10);
            }
            SoftTpm.Quote q = tpm.new Quote(new byte[32], SoftTpm.sha256(selected), this.pcrs);
            this.attestTemplate = q.attest();
            // magic u32, type u16, qualifiedSigner TPM2B, extraData size u16, then the nonce
            this.nonceOffset = 4 + 2 + 2 + q.qualifiedSigner.length + 2;
            this.challengeRequestPath = ("/v1/nodes/" + id + "/challenge").getBytes(StandardCharsets.US_ASCII);
            this.evidenceRequestPath = ("/v1/nodes/" + id + "/evidence").getBytes(StandardCharsets.US_ASCII);
            Base64.Encoder b64 = Base64.getEncoder();
            this.jsonHead = "{\"version\":1,\"nodeId\":\"" + id + "\",\"nonce\":\"";
            this.jsonPcrsAndLog = pcrsAndLog(pcrs, log);
            Map<HashAlg, Map<Integer, byte[]>> wrong = new java.util.EnumMap<>(HashAlg.class);
            pcrs.forEach((bank, values) -> wrong.put(bank, new java.util.HashMap<>(values)));
            wrong.values().forEach(values -> values.put(17, new byte[values.get(17).length]));
            this.jsonWrongPcrsAndLog = pcrsAndLog(wrong, log);
            this.akB64 = b64.encodeToString(akPublic);
        }

        private final String akB64;

        /** The evidence JSON from the PCR values to the producedAt value. */
        private static String pcrsAndLog(Map<HashAlg, Map<Integer, byte[]>> pcrs, byte[] log) {
            StringBuilder tail = new StringBuilder("\"},\"pcrs\":{");
            String sepBank = "";
            for (Map.Entry<HashAlg, Map<Integer, byte[]>> bank : pcrs.entrySet()) {
                tail.append(sepBank).append('"').append(bank.getKey().bankName()).append("\":{");
                String sep = "";
                for (Map.Entry<Integer, byte[]> pv : new java.util.TreeMap<>(bank.getValue()).entrySet()) {
                    tail.append(sep).append('"').append(pv.getKey()).append("\":\"")
                            .append(HexFormat.of().formatHex(pv.getValue())).append('"');
                    sep = ",";
                }
                tail.append('}');
                sepBank = ",";
            }
            tail.append("},\"eventLogs\":{\"").append(EventLogKind.DRTM.jsonKey()).append("\":\"")
                    .append(Base64.getEncoder().encodeToString(log)).append("\"},\"producedAt\":\"");
            return tail.toString();
        }

        /** TPMS_ATTEST over {@code nonce}: the template with this quote's nonce and clock (and PCR digest, in runtime mode). */
        byte[] attest(byte[] nonce) {
            byte[] a = attestTemplate.clone();
            System.arraycopy(nonce, 0, a, nonceOffset, 32);
            ByteBuffer.wrap(a).putLong(nonceOffset + 32, clock++);
            if (runtime) {
                // pcrDigest, the last 32 bytes: SHA-256 over PCRs 10, 17, 18, 19 of the SHA-256 bank
                MessageDigest d = HashAlg.SHA256.newDigest();
                pcrs.get(HashAlg.SHA256).values().forEach(d::update);
                System.arraycopy(d.digest(), 0, a, a.length - 32, 32);
            }
            return a;
        }

        /** The kernel's part: {@link #IMA_ENTRIES_PER_ATTESTATION} programs run, each logged and extended into PCR 10. */
        void runPrograms() {
            io.trustbit.measure.ima.ImaLogWriter w = new io.trustbit.measure.ima.ImaLogWriter();
            MessageDigest d = HashAlg.SHA256.newDigest();
            for (int k = 0; k < IMA_ENTRIES_PER_ATTESTATION; k++, measured++) {
                String path = measured == 0 ? "boot_aggregate" : program(measured);
                byte[] digest = programDigest(measured);
                w.imaNg(path, io.trustbit.measure.ima.ImaHashAlgo.SHA256, digest);
                d.update(pcr10);
                d.update(HashAlg.SHA256.digest(io.trustbit.measure.ima.ImaLogWriter.templateData(path,
                        io.trustbit.measure.ima.ImaHashAlgo.SHA256, digest, null)));
                pcr10 = d.digest();
            }
            imaList.writeBytes(w.toByteArray());
            pcrs.get(HashAlg.SHA256).put(10, pcr10);
        }

        /** After an affirming verdict: the verifier's appraisal now stands after every entry sent. */
        void appraised() {
            appraisedEntries = measured;
            appraisedBytes = imaList.size();
        }

        /** TPMT_SIGNATURE (Part 2 §11.3.4): ECDSA, SHA-256, r and s as TPM2B. */
        byte[] sign(Signature ecdsa, byte[] attest) throws Exception {
            ecdsa.initSign(akKey);
            ecdsa.update(attest);
            byte[] rs = ecdsa.sign();
            ByteBuffer b = ByteBuffer.allocate(4 + 2 + 32 + 2 + 32);
            b.putShort((short) 0x0018).putShort((short) HashAlg.SHA256.tcgId());
            b.putShort((short) 32).put(rs, 0, 32).putShort((short) 32).put(rs, 32, 32);
            return b.array();
        }

        /** Evidence JSON (docs/formats.md "Evidence", the field order of attest's codec). */
        byte[] evidence(byte[] nonce, byte[] attest, byte[] signature) {
            Base64.Encoder b64 = Base64.getEncoder();
            lastEvidenceWrong = !runtime && flapEvery > 0 && ++evidenceCount % flapEvery == 0;
            String json = jsonHead + HexFormat.of().formatHex(nonce) + "\",\"akPublic\":\"" + akB64
                    + "\",\"quote\":{\"attest\":\"" + b64.encodeToString(attest) + "\",\"signature\":\""
                    + b64.encodeToString(signature) + (runtime ? runtimeTail()
                            : (lastEvidenceWrong ? jsonWrongPcrsAndLog : jsonPcrsAndLog)
                                    + Instant.now() + "\"}");
            return json.getBytes(StandardCharsets.US_ASCII);
        }

        /** PCR values with this quote's PCR 10, the DRTM log, and the IMA entries the verifier has not appraised. */
        private String runtimeTail() {
            String p10 = HexFormat.of().formatHex(pcr10);
            byte[] list = imaList.toByteArray();
            return "\"},\"pcrs\":{\"sha256\":{\"10\":\"" + p10 + "\"," + jsonPcrsAndLog.substring("\"},\"pcrs\":{\"sha256\":{".length())
                    + Instant.now() + "\",\"ima\":{\"firstEntry\":" + appraisedEntries + ",\"byteOffset\":" + appraisedBytes
                    + ",\"log\":\"" + Base64.getEncoder().encodeToString(Arrays.copyOfRange(list, appraisedBytes, list.length))
                    + "\"}}";
        }

        /** The hand-written JSON must be exactly what attest's codec reads. */
        void checkEncoding() throws Exception {
            byte[] nonce = new byte[32];
            Arrays.fill(nonce, (byte) 7);
            byte[] attest = attest(nonce);
            byte[] sig = sign(Signature.getInstance("SHA256withPLAIN-ECDSA", FastEcdsa.BC), attest);
            Evidence e = EvidenceCodec.parse(evidence(nonce, attest, sig));
            if (!e.node().value().equals(id) || !Arrays.equals(e.nonce(), nonce) || !Arrays.equals(e.quoteAttest(), attest)
                    || !Arrays.equals(e.quoteSignature(), sig) || !Arrays.equals(e.akPublic(), akPublic)
                    || !e.eventLogs().containsKey(EventLogKind.DRTM) || runtime != (e.ima() != null)) {
                throw new IllegalStateException("load generator evidence encoding is wrong");
            }
        }
    }

    /** The verifier's address and pinned certificate. */
    static final class Target {
        final SSLContext tls;
        final int port;

        Target(X509Certificate pinned, int port) throws Exception {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("verifier", pinned);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            this.tls = SSLContext.getInstance("TLS");
            tls.init(null, tmf.getTrustManagers(), null);
            this.port = port;
        }
    }

    /** A minimal HTTP/1.1 client on one kept-alive TLS connection (one per load thread). */
    static final class Connection implements AutoCloseable {
        private final Target target;
        private SSLSocket socket;
        private InputStream in;
        private OutputStream out;
        int status;
        byte[] body;

        Connection(Target target) {
            this.target = target;
        }

        void post(byte[] path, byte[] content) throws IOException {
            if (socket == null) {
                socket = (SSLSocket) target.tls.getSocketFactory().createSocket("127.0.0.1", target.port);
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(30_000);
                in = new BufferedInputStream(socket.getInputStream(), 16384);
                out = new BufferedOutputStream(socket.getOutputStream(), 16384);
            }
            ByteArrayOutputStream head = new ByteArrayOutputStream(128);
            head.writeBytes("POST ".getBytes(StandardCharsets.US_ASCII));
            head.writeBytes(path);
            head.writeBytes((" HTTP/1.1\r\nHost: 127.0.0.1:" + target.port + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + content.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            head.writeTo(out);
            out.write(content);
            out.flush();
            readResponse();
        }

        private void readResponse() throws IOException {
            String statusLine = line();
            if (!statusLine.startsWith("HTTP/1.1 ") || statusLine.length() < 12) {
                throw new IOException("bad status line: " + statusLine);
            }
            status = Integer.parseInt(statusLine.substring(9, 12));
            int length = -1;
            boolean close = false;
            for (String h = line(); !h.isEmpty(); h = line()) {
                int colon = h.indexOf(':');
                String name = colon < 0 ? h : h.substring(0, colon).trim();
                String value = colon < 0 ? "" : h.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Content-Length")) {
                    length = Integer.parseInt(value);
                } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
                    close = true;
                }
            }
            if (length < 0 || length > 1 << 20) {
                throw new IOException("response without a usable Content-Length");
            }
            body = in.readNBytes(length);
            if (body.length != length) {
                throw new IOException("response body cut short");
            }
            if (close) {
                close();
            }
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder(64);
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("connection closed mid-response");
                }
                if (c != '\r') {
                    sb.append((char) c);
                }
                if (sb.length() > 8192) {
                    throw new IOException("response header line too long");
                }
            }
            return sb.toString();
        }

        @Override
        public void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // the connection is gone either way
                }
                socket = null;
            }
        }
    }

    private static final byte[] NONCE_FIELD = "\"nonce\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] AFFIRMING = "{\"status\":\"affirming\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTRAINDICATED = "{\"status\":\"contraindicated\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PCRS_DIGEST_REASON = "{\"check\":\"pcrs.digest\"".getBytes(StandardCharsets.US_ASCII);

    /** What one attestation ended in, against what the generator made the node send. */
    enum Answer {
        /** Affirming, as expected of correct evidence. */
        AFFIRMING,
        /** Contraindicated for the PCR values, as expected of evidence made wrong on purpose (flapping). */
        CONTRAINDICATED_AS_INTENDED,
        /** A verdict other than the expected one, or no verdict (an HTTP status other than 200). */
        UNEXPECTED
    }

    /** A run's failures (transport, HTTP, protocol, unexpected verdicts) and its deliberately contraindicated verdicts. */
    record Answers(long errors, long contraindicatedAsIntended) {}

    private static Answers run(Target target, List<Node> fleet, int threads, int seconds, Recorder rec, AtomicLong cpu)
            throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicLong errors = new AtomicLong();
        AtomicLong intended = new AtomicLong();
        AtomicLong next = new AtomicLong();
        AtomicLong challenges = CHALLENGES;
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            fs.add(pool.submit(() -> {
                Signature ecdsa = Signature.getInstance("SHA256withPLAIN-ECDSA", FastEcdsa.BC);
                long cpu0 = THREADS.getCurrentThreadCpuTime();
                try (Connection http = new Connection(target)) {
                    while (System.nanoTime() < end) {
                        Node node = fleet.get((int) (next.getAndIncrement() % fleet.size()));
                        long s = System.nanoTime();
                        try {
                            Answer a = attestation(http, node, ecdsa, !challengeEachTime, challenges);
                            if (a == Answer.UNEXPECTED) {
                                errors.incrementAndGet();
                                continue;
                            }
                            if (a == Answer.CONTRAINDICATED_AS_INTENDED) {
                                intended.incrementAndGet();
                            }
                        } catch (Exception e) {
                            http.close();
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
                }
                cpu.addAndGet(THREADS.getCurrentThreadCpuTime() - cpu0);
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdown();
        return new Answers(errors.get(), intended.get());
    }

    /**
     * One attestation of {@code node}: evidence over its piggybacked nonce when {@code piggyback} allows it and the
     * nonce has {@link #NEXT_MARGIN_MILLIS} to live, else challenge + evidence; the verdict against the one the
     * evidence was made for (affirming, or contraindicated when the node sent wrong PCRs on purpose).
     */
    static Answer attestation(Connection http, Node node, Signature ecdsa, boolean piggyback, AtomicLong challenges)
            throws Exception {
        // a node attests once at a time: its clock and quotes stay in order
        synchronized (node) {
            boolean piggybacked = piggyback && node.nextNonce != null
                    && node.nextExpiresAt > System.currentTimeMillis() + NEXT_MARGIN_MILLIS;
            byte[] nonce = piggybacked ? node.nextNonce : challenge(http, node, challenges);
            node.nextNonce = null;
            attestOnce(http, node, ecdsa, nonce);
            if (piggybacked && http.status == 200 && !startsWith(http.body, AFFIRMING)
                    && Bytes.indexOf(http.body, NONCE_REASON) >= 0) {
                // the piggybacked nonce was no longer accepted: once more with a fresh challenge
                attestOnce(http, node, ecdsa, challenge(http, node, challenges));
            }
            if (http.status != 200) {
                return Answer.UNEXPECTED;
            }
            if (node.lastEvidenceWrong) {
                return startsWith(http.body, CONTRAINDICATED) && Bytes.indexOf(http.body, PCRS_DIGEST_REASON) >= 0
                        ? Answer.CONTRAINDICATED_AS_INTENDED : Answer.UNEXPECTED;
            }
            return startsWith(http.body, AFFIRMING) ? Answer.AFFIRMING : Answer.UNEXPECTED;
        }
    }

    private static boolean challengeEachTime;
    /** Challenge requests made (none while the piggybacked nonces last). */
    private static final AtomicLong CHALLENGES = new AtomicLong();
    private static final byte[] NEXT_FIELD = "\"next\":{\"nonce\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EXPIRES_FIELD = "\"expiresAt\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NONCE_REASON = "{\"check\":\"nonce\"".getBytes(StandardCharsets.US_ASCII);
    /** A piggybacked nonce is used only while it has at least this long to live, as the agent does. */
    static final long NEXT_MARGIN_MILLIS = 5_000;

    private static byte[] challenge(Connection http, Node node, AtomicLong challenges) throws IOException {
        challenges.incrementAndGet();
        http.post(node.challengeRequestPath, new byte[0]);
        int at = Bytes.indexOf(http.body, NONCE_FIELD);
        if (http.status != 200 || at < 0 || http.body.length < at + NONCE_FIELD.length + 64) {
            throw new IOException("challenge refused: " + http.status);
        }
        return HexFormat.of().parseHex(new String(http.body, at + NONCE_FIELD.length, 64, StandardCharsets.US_ASCII));
    }

    /** Quote over {@code nonce}, evidence, and the node's next challenge from the answer if it has one. */
    private static void attestOnce(Connection http, Node node, Signature ecdsa, byte[] nonce) throws Exception {
        if (runtime) {
            node.runPrograms();
        }
        byte[] attest = node.attest(nonce);
        http.post(node.evidenceRequestPath, node.evidence(nonce, attest, node.sign(ecdsa, attest)));
        if (runtime && http.status == 200 && startsWith(http.body, AFFIRMING)) {
            node.appraised();
        }
        int at = http.status == 200 ? Bytes.indexOf(http.body, NEXT_FIELD) : -1;
        if (at >= 0 && http.body.length >= at + NEXT_FIELD.length + 64) {
            int n = at + NEXT_FIELD.length;
            int e = Bytes.indexOf(http.body, EXPIRES_FIELD);
            int end = e < 0 ? -1 : Bytes.indexOf(Arrays.copyOfRange(http.body, e + EXPIRES_FIELD.length, http.body.length),
                    new byte[] {'"'});
            if (end > 0) {
                node.nextNonce = HexFormat.of().parseHex(new String(http.body, n, 64, StandardCharsets.US_ASCII));
                node.nextExpiresAt = java.time.Instant.parse(new String(http.body, e + EXPIRES_FIELD.length, end,
                        StandardCharsets.US_ASCII)).toEpochMilli();
            }
        }
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        return b.length >= prefix.length && MessageDigest.isEqual(Arrays.copyOf(b, prefix.length), prefix);
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    /** CPU time of the verifier's request threads (Jetty's pool), by thread id. */
    private static Map<Long, Long> serverThreadCpu() {
        Map<Long, Long> out = new java.util.HashMap<>();
        for (java.lang.management.ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (t != null && t.getThreadName().startsWith("verifier-http")) {
                out.put(t.getThreadId(), THREADS.getThreadCpuTime(t.getThreadId()));
            }
        }
        return out;
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * Raw ECDSA P-256/SHA-256 verifications per second on {@code threads} threads: "SunEC" with the JDK key,
     * "BC" with the key translated once into a Bouncy Castle key (what the verifier caches per node).
     */
    static double ecdsaVerifyRate(int threads, int seconds, String provider) throws Exception {
        KeyPair kp = SoftTpmKeys.p256();
        java.security.PublicKey key = provider.equals("BC")
                ? (java.security.PublicKey) java.security.KeyFactory.getInstance("EC", FastEcdsa.BC).translateKey(kp.getPublic())
                : kp.getPublic();
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
                Signature v = provider.equals("BC") ? Signature.getInstance("SHA256withECDSA", FastEcdsa.BC)
                        : Signature.getInstance("SHA256withECDSA", provider);
                while (System.nanoTime() < end) {
                    v.initVerify(key);
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

    /** ES256 signatures per second by Bouncy Castle on one thread (the verdict and quote signing cost). */
    static double ecdsaSignRate(int seconds) throws Exception {
        PrivateKey key = FastEcdsa.bcPrivateKey(SoftTpmKeys.p256().getPrivate());
        Signature s = FastEcdsa.es256();
        byte[] msg = new byte[600];
        long n = 0;
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            s.initSign(key);
            s.update(msg);
            s.sign();
            n++;
        }
        return n / (double) seconds;
    }
}
