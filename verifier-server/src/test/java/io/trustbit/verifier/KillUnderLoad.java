package io.trustbit.verifier;

import com.fasterxml.jackson.databind.JsonNode;
import io.trustbit.verifier.internal.KeyFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Kill under load (docs/verifier.md "Durability"): a verifier in its own JVM ({@link ChildVerifier}) is
 * SIGKILLed again and again while client threads attest, each over the {@code next} nonce of its previous answer
 * (or a fresh challenge). After each kill, with no verifier running, every verdict a client received must be in
 * the audit table with exactly the token the client got. After each restart the evidence of every attestation
 * that was answered before the kill is sent again and must be refused for its nonce (used nonces stay used);
 * with {@code allPreCrashNoncesDie} also the evidence that was sent but not answered (the embedded database's
 * nonces do not outlive the process).
 */
final class KillUnderLoad {
    /** A connection to the verifier's database, opened while no verifier runs. */
    @FunctionalInterface
    interface Database {
        Connection open() throws SQLException;
    }

    /** One evidence sent; {@code token} is the verdict the client received, null if none came back. */
    record Sent(String nodeId, String nonceHex, byte[] evidence, String token) {}

    /** What the runs saw. */
    record Outcome(int rounds, int answered, int unanswered, int replays, List<String> failures) {
        String summary() {
            return rounds + " kills, " + answered + " answered, " + unanswered + " unanswered, " + replays
                    + " replays; " + failures.size() + " failures" + (failures.isEmpty() ? ""
                    : ", the first: " + String.join("; ", failures.subList(0, Math.min(3, failures.size()))));
        }
    }

    private static final DrtmChain CHAIN = new DrtmChain();

    private final Path dir;
    private final List<String> databaseArgs;
    private final Database database;
    private final boolean allPreCrashNoncesDie;

    /** {@code databaseArgs}: JDBC URL and user for {@link ChildVerifier}, or empty for the embedded database. */
    KillUnderLoad(Path dir, List<String> databaseArgs, Database database, boolean allPreCrashNoncesDie) {
        this.dir = dir;
        this.databaseArgs = databaseArgs;
        this.database = database;
        this.allPreCrashNoncesDie = allPreCrashNoncesDie;
    }

    Outcome run(int rounds, int nodes, int answersBeforeKill) throws Exception {
        Path policies = dir.resolve("policies");
        Files.createDirectories(policies);
        Files.writeString(policies.resolve("test.yaml"), CHAIN.policyYaml("test", false));
        List<String> ids = new ArrayList<>();
        List<SoftTpm> tpms = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            ids.add("kill-" + i);
            tpms.add(new SoftTpm());
        }
        List<String> failures = new ArrayList<>();
        List<Sent> before = List.of();
        int answered = 0;
        int unanswered = 0;
        int replays = 0;
        for (int round = 0; round < rounds; round++) {
            Process child = start();
            try {
                URI url = ready(child);
                HttpClient http = TestVerifier.client(KeyFiles.readCertificates(dir.resolve("data/tls-cert.pem")).get(0));
                if (round == 0) {
                    for (int i = 0; i < nodes; i++) {
                        TestVerifier.enroll(http, url, ids.get(i), tpms.get(i));
                    }
                }
                for (Sent s : before) {
                    if (s.token() != null || allPreCrashNoncesDie) {
                        replays++;
                        String refusal = replayRefusal(http, url, s);
                        if (refusal != null) {
                            failures.add("round " + round + ": " + refusal);
                        }
                    }
                }
                List<Sent> sent = load(http, url, ids, tpms, answersBeforeKill, child);
                for (Sent s : sent) {
                    if (s.token() != null) {
                        answered++;
                    } else {
                        unanswered++;
                    }
                }
                failures.addAll(missingFromAudit(round, sent));
                before = sent;
            } finally {
                child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
        return new Outcome(rounds, answered, unanswered, replays, failures);
    }

    private Process start() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ChildVerifier.class.getName(), dir.resolve("data").toString(),
                dir.resolve("policies").toString(), "replica-killed"));
        cmd.addAll(databaseArgs);
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    static URI ready(Process child) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith("READY ")) {
                return URI.create(line.split(" ")[1]);
            }
        }
        throw new IOException("child verifier ended without starting (exit " + child.exitValue() + ")");
    }

    /**
     * Attests with one thread per node until at least {@code answersBeforeKill} answers came back, then, after a
     * random 0–100 ms so that the kill lands anywhere in a request, SIGKILLs the child.
     */
    private static List<Sent> load(HttpClient http, URI url, List<String> ids, List<SoftTpm> tpms, int answersBeforeKill,
            Process child) throws Exception {
        Queue<Sent> sent = new ConcurrentLinkedQueue<>();
        AtomicInteger answers = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(ids.size());
        List<Future<?>> workers = new ArrayList<>();
        try {
            for (int i = 0; i < ids.size(); i++) {
                String id = ids.get(i);
                SoftTpm tpm = tpms.get(i);
                workers.add(pool.submit(() -> {
                    byte[] next = null;
                    while (!stop.get()) {
                        byte[] nonce;
                        byte[] ev;
                        try {
                            nonce = next != null ? next : challenge(http, url, id);
                            ev = CHAIN.evidence(id, tpm, nonce);
                        } catch (Exception e) {
                            return null; // the child died
                        }
                        String nonceHex = HexFormat.of().formatHex(nonce);
                        TestVerifier.Reply r;
                        try {
                            r = TestVerifier.call(http, url, "POST", "/v1/nodes/" + id + "/evidence", ev, null);
                        } catch (Exception e) {
                            sent.add(new Sent(id, nonceHex, ev, null));
                            return null;
                        }
                        if (r.status() != 200 || r.json() == null || r.json().get("verdict") == null) {
                            sent.add(new Sent(id, nonceHex, ev, null));
                            continue;
                        }
                        sent.add(new Sent(id, nonceHex, ev, r.json().get("verdict").asText()));
                        answers.incrementAndGet();
                        JsonNode n = r.json().get("next");
                        next = n == null ? null : HexFormat.of().parseHex(n.get("nonce").asText());
                    }
                    return null;
                }));
            }
            long until = System.currentTimeMillis() + 120_000;
            while (answers.get() < answersBeforeKill && System.currentTimeMillis() < until) {
                Thread.sleep(5);
            }
            Thread.sleep(ThreadLocalRandom.current().nextInt(100));
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            stop.set(true);
            for (Future<?> w : workers) {
                w.get(60, TimeUnit.SECONDS);
            }
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
        if (answers.get() < answersBeforeKill) {
            throw new AssertionError("load reached only " + answers.get() + " answers before the kill");
        }
        return new ArrayList<>(sent);
    }

    private static byte[] challenge(HttpClient http, URI url, String id) throws Exception {
        TestVerifier.Reply c = TestVerifier.call(http, url, "POST", "/v1/nodes/" + id + "/challenge", null, null);
        if (c.status() != 200) {
            throw new IOException("challenge: " + c.status());
        }
        return HexFormat.of().parseHex(c.json().get("nonce").asText());
    }

    /** Null if the replayed evidence was refused for its nonce, else what happened instead. */
    private static String replayRefusal(HttpClient http, URI url, Sent s) throws Exception {
        TestVerifier.Reply r = TestVerifier.call(http, url, "POST", "/v1/nodes/" + s.nodeId() + "/evidence", s.evidence(),
                null);
        JsonNode j = r.json();
        if (r.status() != 200 || j == null || !"contraindicated".equals(j.path("status").asText())) {
            return "replay of nonce " + s.nonceHex() + " was answered " + r.status() + " " + r.text();
        }
        for (JsonNode reason : j.path("reasons")) {
            if ("nonce".equals(reason.path("check").asText())) {
                return null;
            }
        }
        return "replay of nonce " + s.nonceHex() + " was not refused for its nonce: " + r.text();
    }

    /** Every answered verdict must be in the audit table with the token the client received. */
    private List<String> missingFromAudit(int round, List<Sent> sent) throws SQLException {
        List<String> missing = new ArrayList<>();
        try (Connection c = database.open();
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM verdicts WHERE nonce = ? AND token = ?"
                        + " AND replica = 'replica-killed'")) {
            for (Sent s : sent) {
                if (s.token() == null) {
                    continue;
                }
                ps.setString(1, s.nonceHex());
                ps.setString(2, s.token());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || rs.getInt(1) != 1) {
                        missing.add("round " + round + ": answered verdict for nonce " + s.nonceHex()
                                + " is not in the audit table");
                    }
                }
            }
        }
        return missing;
    }
}
