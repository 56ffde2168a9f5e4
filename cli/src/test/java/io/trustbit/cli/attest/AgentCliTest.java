package io.trustbit.cli.attest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.attest.Agent;
import io.trustbit.attest.AkType;
import io.trustbit.attest.NodeId;
import io.trustbit.attest.VerifierTrust;
import io.trustbit.attest.tpm2.PcrSelection;
import io.trustbit.cli.Cli;
import io.trustbit.testkit.Swtpm;
import io.trustbit.verifier.VerifierConfig;
import io.trustbit.verifier.VerifierServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent against the real verifier (TLS, pinned certificate) and a real swtpm. */
class AgentCliTest {
    @TempDir
    static Path dir;
    static Swtpm swtpm;

    @BeforeAll
    static void start() throws Exception {
        swtpm = Swtpm.start(dir.resolve("swtpm"));
    }

    @AfterAll
    static void stop() {
        swtpm.close();
    }

    /**
     * A verifier with a database of its own for {@code node}: the tests share one swtpm, and one TPM can be only
     * one node per verifier (docs/verifier.md "One TPM, one node").
     */
    static VerifierServer verifier(String node, int port) throws Exception {
        Files.createDirectories(dir.resolve("policies"));
        return VerifierServer.start(VerifierConfig.builder(dir.resolve("verifier-" + node)).port(port)
                .policiesDir(dir.resolve("policies")).defaultPolicy("test").build());
    }

    /** Everything from the configuration file, as a fleet's configuration management writes it; flags override. */
    @Test
    void readsItsSettingsFromTheConfigFile() throws Exception {
        try (VerifierServer v = verifier("node-conf", 0)) {
            Path conf = dir.resolve("agent.conf");
            String common = "verifier-fingerprint = " + v.tlsFingerprint() + "\ntpm = " + swtpm.spec() + "\nstate-dir = agent-conf\n";
            Files.writeString(conf, "# the agent's settings\n\nverifier = " + v.url() + "\n  node-id = node-conf\ninterval = 5m\n" + common);
            Cli r = QuoteCliTest.trustbit("agent", "--config", conf, "--once");
            assertEquals(1, r.code(), r.toString());
            assertTrue(r.out().contains("enrolled node node-conf"), r.out());
            assertTrue(r.out().contains("policy.unavailable"), r.out());
            assertTrue(Files.exists(dir.resolve("agent-conf/ak.pub")), "a relative state-dir is relative to the file");

            // a file whose verifier and node id would fail: the command line's replace them
            Path other = dir.resolve("other.conf");
            Files.writeString(other, "verifier = https://127.0.0.1:1\nnode-id = not a node id\n" + common);
            Cli flags = QuoteCliTest.trustbit("agent", "--config", other, "--verifier", v.url(), "--node-id", "node-conf", "--once");
            assertEquals(1, flags.code(), flags.toString());
            assertTrue(flags.out().contains("policy.unavailable"), flags.out());

            String wrongPin = "00" + v.tlsFingerprint().replace(":", "").substring(2);
            Cli pinned = QuoteCliTest.trustbit("agent", "--config", conf, "--verifier-fingerprint", wrongPin, "--once");
            assertEquals(3, pinned.code(), "a trust option on the command line replaces the file's: " + pinned);
        }
    }

    @Test
    void enrollsOnceThenAttestsWithTheSameAk() throws Exception {
        try (VerifierServer v = verifier("node-1", 0)) {
            Path state = dir.resolve("agent1");
            Object[] args = {"agent", "--tpm", swtpm.spec(), "--verifier", v.url(), "--node-id", "node-1", "--state-dir", state,
                "--verifier-fingerprint", v.tlsFingerprint(), "--once"};
            Cli first = QuoteCliTest.trustbit(args);
            // no policy is installed, so the verdict is contraindicated, for that reason alone
            assertEquals(1, first.code(), first.out() + first.err());
            assertTrue(first.out().contains("enrolled node node-1"), first.out());
            assertTrue(first.out().contains("status: contraindicated"), first.out());
            assertTrue(first.out().contains("policy.unavailable"), first.out());
            for (String check : new String[] {"quote.", "nonce", "pcrs.", "evidence.", "clock."}) {
                assertFalse(first.out().contains("  " + check), "no " + check + " failure: " + first.out());
            }
            byte[] ak = Files.readAllBytes(state.resolve("ak.pub"));

            Cli second = QuoteCliTest.trustbit(args);
            assertEquals(1, second.code(), second.err());
            assertFalse(second.out().contains("enrolled node"), "enrolled only once: " + second.out());
            assertArrayEquals(ak, Files.readAllBytes(state.resolve("ak.pub")), "AK reused");

            String wrongPin = "00" + v.tlsFingerprint().replace(":", "").substring(2);
            Cli pinned = QuoteCliTest.trustbit("agent", "--tpm", swtpm.spec(), "--verifier", v.url(), "--node-id", "node-1",
                    "--state-dir", state, "--verifier-fingerprint", wrongPin, "--once");
            assertEquals(3, pinned.code(), pinned.toString());
            assertTrue(pinned.err().contains("pinned SHA-256 fingerprint"), pinned.err());
            Cli plain = QuoteCliTest.trustbit("agent", "--tpm", swtpm.spec(), "--verifier", v.url(), "--node-id", "node-1",
                    "--state-dir", state, "--insecure-http-loopback", "--once");
            assertEquals(2, plain.code(), plain.toString());
            assertTrue(plain.err().contains("an https verifier needs --verifier-fingerprint or --ca-cert"), plain.err());
        }
    }

    /**
     * Ids at the edges of the one node-id rule enroll and attest against the real verifier: one starting with
     * '_' and one of 100 characters (the verifier's paths once took only 64, starting with a letter or digit).
     * Each has its own TPM, as one TPM is one node.
     */
    @Test
    void nodeIdsOfTheOneRuleEnrollAndAttest() throws Exception {
        String longId = "n" + "0123456789".repeat(9) + "-abcdefg.";
        assertEquals(100, longId.length());
        try (VerifierServer v = verifier("edge-ids", 0)) {
            for (String id : new String[] {"_gateway", longId}) {
                try (Swtpm own = Swtpm.start(dir.resolve("swtpm-" + id.length()))) {
                    Cli r = QuoteCliTest.trustbit("agent", "--tpm", own.spec(), "--verifier", v.url(), "--node-id", id,
                            "--state-dir", dir.resolve("agent-" + id.length()), "--verifier-fingerprint", v.tlsFingerprint(),
                            "--once");
                    // contraindicated only because no policy is installed: enrolled, attested, the node check passed
                    assertEquals(1, r.code(), id + ": " + r);
                    assertTrue(r.out().contains("enrolled node " + id + " "), r.out());
                    assertTrue(r.out().contains("policy.unavailable"), r.out());
                    assertTrue(r.out().contains("checked: evidence.node "), r.out());
                    assertFalse(r.out().contains("  evidence."), r.out());
                }
            }
        }
    }

    @Test
    void anIdOutsideTheRuleIsRefusedBeforeAnythingIsSent() {
        String tooLong = "n".repeat(NodeId.MAX_LENGTH + 1);
        for (String id : new String[] {tooLong, "-node", ".node", "node/1", "né"}) {
            Cli r = QuoteCliTest.trustbit("agent", "--tpm", "swtpm:127.0.0.1:1", "--verifier", "http://127.0.0.1:1",
                    "--node-id", id, "--state-dir", dir.resolve("unused"), "--insecure-http-loopback", "--once");
            assertEquals(2, r.code(), id + ": " + r);
            assertTrue(r.err().contains("--node-id") && r.err().contains("is not valid (1-128 characters"), r.err());
        }
    }

    /** A host name that is not a valid node id stops the agent with the rule; it is never replaced by another id. */
    @Test
    void aHostNameOutsideTheRuleIsAClearError() {
        for (String host : new String[] {"h".repeat(129), "-dash-first", "host name"}) {
            io.trustbit.cli.CliException e = org.junit.jupiter.api.Assertions.assertThrows(io.trustbit.cli.CliException.class,
                    () -> AgentCommand.hostNodeId(host));
            assertEquals(io.trustbit.cli.ExitCode.BAD_INPUT, e.exitCode());
            assertTrue(e.getMessage().startsWith("this host's name '"), e.getMessage());
            assertTrue(e.getMessage().endsWith("is not a valid node id (" + NodeId.RULE + "): give one with --node-id"),
                    e.getMessage());
        }
        assertEquals(NodeId.of("_gateway"), AgentCommand.hostNodeId("_gateway"));
    }

    /**
     * An unreachable verifier is an environment failure (exit 3) that names the host and the cause, after the
     * attempts --attempts allows (a single one here: no retry line).
     */
    @Test
    void anUnreachableVerifierExits3NamingHostAndCause() throws Exception {
        int port = io.trustbit.cli.ExitCodesTest.closedPort();
        Cli refused = QuoteCliTest.trustbit("agent", "--tpm", swtpm.spec(), "--verifier", "http://127.0.0.1:" + port,
                "--node-id", "node-4", "--state-dir", dir.resolve("agent4"), "--insecure-http-loopback", "--once",
                "--attempts", "1");
        assertEquals(3, refused.code(), refused.toString());
        assertTrue(refused.err().startsWith("trustbit: attestation failed: cannot reach the verifier 127.0.0.1:" + port
                + ": connection refused"), refused.err());
        assertFalse(refused.out().contains("attempt 2"), refused.out());
        Cli twice = QuoteCliTest.trustbit("agent", "--tpm", swtpm.spec(), "--verifier", "http://127.0.0.1:" + port,
                "--node-id", "node-4", "--state-dir", dir.resolve("agent4"), "--insecure-http-loopback", "--once",
                "--attempts", "2");
        assertEquals(3, twice.code(), twice.toString());
        assertTrue(twice.out().contains(": connection refused; attempt 2 of 2 in "), twice.out());
        Cli zero = QuoteCliTest.trustbit("agent", "--tpm", swtpm.spec(), "--verifier", "http://127.0.0.1:" + port,
                "--node-id", "node-4", "--state-dir", dir.resolve("agent4"), "--insecure-http-loopback", "--once",
                "--attempts", "0");
        assertEquals(2, zero.code(), zero.toString());
        assertEquals("trustbit: --attempts '0' must be a whole number from 1 to 10", zero.err().strip());
        Cli unknown = QuoteCliTest.trustbit("agent", "--tpm", swtpm.spec(), "--verifier", "https://no-such-host.invalid:8443",
                "--node-id", "node-4", "--state-dir", dir.resolve("agent4"), "--verifier-fingerprint", "00".repeat(32), "--once");
        assertEquals(3, unknown.code(), unknown.toString());
        assertTrue(unknown.err().startsWith("trustbit: attestation failed: cannot reach the verifier no-such-host.invalid:8443: "
                + "host name not found"), unknown.err());
    }

    /**
     * --once against a verifier that fails the first attempt and is up before the next (a late network at boot, a
     * verifier restarting): the attestation goes through on the second attempt instead of failing. Until the agent's
     * first connection the port is held by a socket that closes it unanswered; only then does the verifier start.
     */
    @Test
    void onceTriesAgainWhileTheVerifierIsDown() throws Exception {
        VerifierServer first = verifier("node-5", 0);
        int port = first.port();
        String fingerprint = first.tlsFingerprint();
        first.close();
        java.net.ServerSocket gate = new java.net.ServerSocket(port, 50, java.net.InetAddress.getLoopbackAddress());
        java.util.concurrent.CompletableFuture<VerifierServer> later = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try (gate) {
                gate.accept().close();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            try {
                return verifier("node-5", port);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            Cli r = QuoteCliTest.trustbit("agent", "--tpm", swtpm.spec(), "--verifier", "https://127.0.0.1:" + port,
                    "--node-id", "node-5", "--state-dir", dir.resolve("agent5"), "--verifier-fingerprint", fingerprint,
                    "--once", "--attempts", "6");
            assertEquals(1, r.code(), r.toString());
            assertTrue(r.out().contains("; attempt 2 of 6 in "), r.out());
            assertTrue(r.out().contains("status: contraindicated"), r.out());
            assertTrue(r.out().contains("policy.unavailable"), r.out());
        } finally {
            later.get().close();
        }
    }

    @Test
    void survivesAVerifierRestart() throws Exception {
        VerifierServer v = verifier("node-2", 0);
        int port = v.port();
        String fingerprint = v.tlsFingerprint();
        StringWriter log = new StringWriter();
        try (RunningAgent a = RunningAgent.start(v, "node-2", dir.resolve("agent2"), Duration.ofMillis(200), log)) {
            await(log, "attested: contraindicated", 0);
            v.close();
            int failedAt = await(log, "attestation failed", 0);
            v = verifier("node-2", port);
            assertEquals(fingerprint, v.tlsFingerprint(), "same TLS key after restart");
            await(log, "attested: contraindicated", failedAt);
        } finally {
            v.close();
        }
    }

    @Test
    void attestsOnDemandWhenTheStateDirectorySaysSo() throws Exception {
        try (VerifierServer v = verifier("node-3", 0)) {
            StringWriter log = new StringWriter();
            Path state = dir.resolve("agent3");
            try (RunningAgent a = RunningAgent.start(v, "node-3", state, Duration.ofHours(1), log)) {
                int first = await(log, "attested: ", 0);
                Thread.sleep(500);
                assertFalse(log.toString().substring(first).contains("attested: "), "an hour's interval: no second round yet");
                Files.writeString(state.resolve(Agent.ON_DEMAND_FILE), "");
                int requested = await(log, "attestation requested on demand", first);
                await(log, "attested: ", requested);
                assertFalse(Files.exists(state.resolve(Agent.ON_DEMAND_FILE)), "the request file is consumed");
            }
        }
    }

    /** An agent looping in its own thread against {@code v}, logging to {@code log}; stopped on close. */
    private record RunningAgent(AtomicBoolean stop, Thread thread) implements AutoCloseable {
        static RunningAgent start(VerifierServer v, String node, Path state, Duration interval, StringWriter log)
                throws Exception {
            Agent agent = new Agent(new Agent.Config(swtpm.spec(), v.url(), VerifierTrust.Fingerprint.parse(v.tlsFingerprint()),
                    NodeId.of(node), state, interval, PcrSelection.parse("sha256:0-7,17-23"), AkType.ECC_P256, Optional.empty(),
                    Optional.empty(), Optional.empty()), new PrintWriter(log, true));
            AtomicBoolean stop = new AtomicBoolean();
            Thread t = new Thread(() -> {
                try {
                    agent.run(stop::get);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            t.start();
            return new RunningAgent(stop, t);
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(10_000);
        }
    }

    /** Waits up to 20 s for {@code text} to appear in the log after {@code from}; returns where it ends. */
    private static int await(StringWriter log, String text, int from) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            String s = log.toString();
            int at = s.indexOf(text, from);
            if (at >= 0) {
                return at + text.length();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("'" + text + "' not logged; log:\n" + log);
    }
}
