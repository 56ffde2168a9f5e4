package io.trustbit.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.attest.Agent;
import io.trustbit.attest.AkType;
import io.trustbit.attest.AttestationResult;
import io.trustbit.attest.NodeId;
import io.trustbit.attest.VerifierTrust;
import io.trustbit.attest.tpm2.PcrSelection;
import io.trustbit.measure.HashAlg;
import io.trustbit.measure.LaunchType;
import io.trustbit.measure.ima.ImaHashAlgo;
import io.trustbit.measure.ima.ImaLogWriter;
import io.trustbit.measure.ima.ImaSignature;
import io.trustbit.measure.ima.ImaSigningKey;
import io.trustbit.testkit.Swtpm;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runtime attestation with a real TPM (swtpm) and the real agent: the test plays the kernel, writing an IMA
 * measurement list with {@link ImaLogWriter} and extending PCR 10 with each entry's template data in the
 * SHA-1 and SHA-256 banks, as IMA does. The runtime policies are the hand-written Keylime policy of
 * src/test/resources/keylime (imported) and its native counterpart policies/examples/with-runtime.yaml.
 */
class ImaFlowTest {
    private static final Path KEYLIME = Path.of("src", "test", "resources", "keylime");
    private static final String NODE = "ima-node";

    @TempDir
    Path dir;
    Swtpm swtpm;
    TestVerifier verifier;

    @AfterEach
    void stop() {
        if (verifier != null) {
            verifier.close();
        }
        if (swtpm != null) {
            swtpm.close();
        }
    }

    /** One measurement as the kernel logs it (signature: null for ima-ng, the security.ima bytes for ima-sig). */
    private record Entry(String path, ImaHashAlgo algo, byte[] digest, byte[] signature) {
        static Entry ng(String path, ImaHashAlgo algo, String content) {
            return new Entry(path, algo, algo.hash().digest(content.getBytes(StandardCharsets.US_ASCII)), null);
        }

        void writeTo(ImaLogWriter w) {
            if (signature == null) {
                w.imaNg(path, algo, digest);
            } else {
                w.imaSig(path, algo, digest, signature);
            }
        }

        byte[] templateData() {
            return ImaLogWriter.templateData(path, algo, digest, signature);
        }
    }

    // entries the example policies allow (src/test/resources/keylime/runtime-policy.json)
    private static final Entry BOOT_AGGREGATE = Entry.ng("boot_aggregate", ImaHashAlgo.SHA256, "boot aggregate of the reference machine");
    private static final Entry SYSTEMD = Entry.ng("/usr/lib/systemd/systemd", ImaHashAlgo.SHA256, "systemd 252.39-1~deb12u1");
    private static final Entry BASH = Entry.ng("/usr/bin/bash", ImaHashAlgo.SHA256, "bash 5.2.15-2+b8");
    private static final Entry LS = Entry.ng("/usr/bin/ls", ImaHashAlgo.SHA1, "coreutils 9.1-1 ls");
    private static final Entry BUILD = Entry.ng("/tmp/cc1234.out", ImaHashAlgo.SHA256, "a build");          // excluded
    // and one they do not list
    private static final Entry NETCAT = Entry.ng("/usr/bin/nc", ImaHashAlgo.SHA256, "netcat");

    /** The node: what PCR 10 covers, and the list file the agent reads. */
    private final class Node {
        final List<Entry> measured = new ArrayList<>();
        final Path list = dir.resolve("binary_runtime_measurements");
        final int port;
        /** Whether the file's entry 0 is garbled: the verifier would refuse it, so it must not be sent again. */
        boolean garbleFirst;

        Node(int port) {
            this.port = port;
        }

        /** The kernel measures {@code entries}: PCR 10 is extended, then the file holds every measured entry. */
        void run(Entry... entries) throws IOException {
            measure(entries);
            write(measured);
        }

        void measure(Entry... entries) throws IOException {
            for (Entry e : entries) {
                SwtpmFlowTest.extend(port, 10, e.templateData());
                measured.add(e);
            }
        }

        void write(List<Entry> entries) throws IOException {
            ImaLogWriter w = new ImaLogWriter();
            entries.forEach(e -> e.writeTo(w));
            byte[] b = w.toByteArray();
            if (garbleFirst) {
                ImaLogWriter first = new ImaLogWriter();
                entries.get(0).writeTo(first);
                b[first.toByteArray().length - 2] ^= 0x01;   // the last character of entry 0's path
            }
            Files.write(list, b);
        }
    }

    @Test
    void runtimeAttestationIsIncrementalPerBootAndRefusesUnlistedProgramsAndTamperedLists() throws Exception {
        swtpm = Swtpm.start(dir.resolve("swtpm"));
        int port = swtpm.port();
        DrtmChain chain = new DrtmChain();
        chain.launchType = LaunchType.SKINIT;
        SwtpmFlowTest.measure(port, chain);
        Path drtmLog = dir.resolve("drtm.log");
        Files.write(drtmLog, chain.eventLog());

        ImaSigningKey tenant = ImaSigningKey.read(KEYLIME.resolve("tenant-signing-key.pem"));
        byte[] app = HashAlg.SHA256.digest("app 1.0".getBytes(StandardCharsets.US_ASCII));
        Entry server = new Entry("/opt/app/server", ImaHashAlgo.SHA256, app,
                ImaSignature.sign(tenant, ImaHashAlgo.SHA256, app).encode());

        Path policies = Files.createDirectories(dir.resolve("verifier/policies"));
        String example = Files.readString(Path.of("..", "policies", "examples", "with-runtime.yaml"));
        Files.writeString(policies.resolve("test.yaml"), chain.policyYaml("test", false)
                + example.substring(example.indexOf("\nruntime:") + 1));
        KeylimeRuntimePolicy.Result imported = KeylimeRuntimePolicy.convert(Files.readAllBytes(KEYLIME.resolve("runtime-policy.json")));
        Files.writeString(policies.resolve("keylime.yaml"), chain.policyYaml("keylime", false)
                + RuntimeSection.toYaml(imported.policy()));

        String url = "jdbc:h2:" + dir.resolve("db").toAbsolutePath();
        int verifierPort;
        try (ServerSocket s = new ServerSocket(0)) {
            verifierPort = s.getLocalPort();
        }
        Consumer<VerifierConfig.Builder> config = b -> b.database(url, "sa", "").port(verifierPort);
        verifier = TestVerifier.start(dir.resolve("verifier"), config);
        Node node = new Node(port);
        StringWriter out = new StringWriter();
        Agent agent = new Agent(new Agent.Config(swtpm.spec(), verifier.server.url(),
                VerifierTrust.Fingerprint.parse(verifier.server.tlsFingerprint()), NodeId.of(NODE), dir.resolve("agent"),
                Duration.ofSeconds(60), PcrSelection.parse("sha256:17-19"), AkType.ECC_P256, Optional.empty(),
                Optional.of(drtmLog), Optional.of(node.list)), new PrintWriter(out, true));

        // a node that ran only allowed programs is affirming
        node.run(BOOT_AGGREGATE, SYSTEMD, BASH, LS);
        expect("affirming", agent.attestOnce(), out);
        assertEquals(4, stored(url, "next_entry"));
        long firstBoot = stored(url, "reset_count");

        // incremental: only the new entries travel (entry 0 in the file is now garbled and would be refused)
        node.garbleFirst = true;
        node.run(BUILD, server);
        expect("affirming", agent.attestOnce(), out);
        assertEquals(6, stored(url, "next_entry"));
        assertEquals(Files.size(node.list), stored(url, "byte_offset"));

        // the state survives a verifier restart
        verifier.close();
        verifier = TestVerifier.start(dir.resolve("verifier"), config);
        node.run(BASH);
        expect("affirming", agent.attestOnce(), out);
        assertEquals(7, stored(url, "next_entry"));

        // a verifier that lost its state (or another replica's) says where it stands; the agent attests again from there
        node.garbleFirst = false;
        node.write(node.measured);
        sql(url, "DELETE FROM ima_state");
        expect("affirming", agent.attestOnce(), out);
        assertTrue(out.toString().contains("the verifier holds another IMA position"), out.toString());
        assertEquals(7, stored(url, "next_entry"));

        // a tampered list does not replay to PCR 10: an entry edited, dropped, or two reordered
        List<Entry> before = List.copyOf(node.measured);
        node.measure(LS, SYSTEMD);
        for (List<Entry> tampered : List.of(plus(before, BASH, SYSTEMD), plus(before, SYSTEMD), plus(before, SYSTEMD, LS))) {
            node.write(tampered);
            AttestationResult r = agent.attestOnce();
            expect("contraindicated", r, out);
            assertTrue(r.reasons().stream().anyMatch(s -> s.startsWith("ima.pcr10: ")), r.reasons().toString());
            assertEquals(7, stored(url, "next_entry"), "a failed appraisal does not move the state on");
        }
        node.write(node.measured);

        // the imported Keylime policy: the same verdicts as the native one
        assertEquals(200, verifier.admin("PUT", "/v1/nodes/" + NODE + "/policy", Map.of("policyId", "keylime")).status());
        expect("affirming", agent.attestOnce(), out);
        assertEquals(9, stored(url, "next_entry"));

        // an unlisted program: contraindicated naming the path and the rule, on every attestation of this boot
        node.run(NETCAT);
        AttestationResult underKeylime = agent.attestOnce();
        expect("contraindicated", underKeylime, out);
        assertEquals(List.of("ima.policy: runtime.unlisted: /usr/bin/nc (entry 9): not in the allowlist (sha256:"
                + java.util.HexFormat.of().formatHex(HashAlg.SHA256.digest("netcat".getBytes(StandardCharsets.US_ASCII))) + ")"), underKeylime.reasons());
        expect("contraindicated", agent.attestOnce(), out);
        assertEquals(200, verifier.admin("PUT", "/v1/nodes/" + NODE + "/policy", Map.of("policyId", "test")).status());
        AttestationResult underNative = agent.attestOnce();
        expect("contraindicated", underNative, out);
        assertEquals(underKeylime.reasons(), underNative.reasons());
        assertEquals(9, stored(url, "next_entry"));

        // a new boot (TPM2_Shutdown, power cycle, TPM2_Startup: resetCount moves on) starts the list again
        assertEquals(0, SwtpmFlowTest.command(port, new SoftTpm.Bytes().u16(0x8001).u32(12).u32(0x145).u16(0).toByteArray()));
        SwtpmFlowTest.ioctl("127.0.0.1:" + swtpm.controlPort(), "-i");
        assertEquals(0, SwtpmFlowTest.command(port, new SoftTpm.Bytes().u16(0x8001).u32(12).u32(0x144).u16(0).toByteArray()));
        SwtpmFlowTest.measure(port, chain);
        node.measured.clear();
        node.run(BOOT_AGGREGATE, BASH);
        expect("affirming", agent.attestOnce(), out);
        assertEquals(2, stored(url, "next_entry"));
        assertNotEquals(firstBoot, stored(url, "reset_count"));
        assertFalse(out.toString().contains("Exception"), out.toString());
    }

    private static List<Entry> plus(List<Entry> prefix, Entry... more) {
        List<Entry> l = new ArrayList<>(prefix);
        l.addAll(List.of(more));
        return l;
    }

    private static void expect(String status, AttestationResult r, StringWriter agentLog) {
        assertEquals(status, r.status(), r.reasons() + "\n" + agentLog);
    }

    private static long stored(String url, String column) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "sa", "");
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT " + column + " FROM ima_state WHERE node_id = '" + NODE + "'")) {
            assertTrue(rs.next(), "no IMA state stored");
            return rs.getLong(1);
        }
    }

    private static void sql(String url, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement st = c.createStatement()) {
            st.executeUpdate(statement);
        }
    }
}
