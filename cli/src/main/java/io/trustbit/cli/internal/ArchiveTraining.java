package io.trustbit.cli.internal;

import io.trustbit.cli.Main;
import io.trustbit.measure.EventLogWriter;
import io.trustbit.measure.EventType;
import io.trustbit.measure.HashAlg;
import io.trustbit.verifier.internal.EarStatus;
import io.trustbit.verifier.internal.Es256;
import io.trustbit.verifier.internal.VerdictSigner;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The workload the build runs once to list the classes that the short commands load, for the JVM's class-data
 * archive (cli/pom.xml; docs/benchmarks.md, "CLI start-up"): each of those commands, in this one process, on
 * inputs made here in a scratch directory, which keeps them (scripts/bench/startup times the same commands on
 * them). Not a command of the CLI; every command must succeed, so a change that breaks one shows up at build
 * time instead of as a quietly smaller archive.
 */
public final class ArchiveTraining {
    private ArchiveTraining() {}

    public static void main(String[] args) throws IOException, GeneralSecurityException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ArchiveTraining SCRATCH_DIR");
        }
        Path d = Files.createDirectories(Path.of(args[0]));
        Random rnd = new Random(1);
        byte[] slb = new byte[16384];
        rnd.nextBytes(slb);
        slb[2] = 0x00; // header word 1: measured length 0x2a00
        slb[3] = 0x2a;
        Files.write(d.resolve("slb.bin"), slb);
        byte[] image = new byte[64 * 1024];
        rnd.nextBytes(image);
        Files.write(d.resolve("vmm.bin"), image);
        Files.write(d.resolve("guest.bin"), image);
        Files.write(d.resolve("log.bin"), new EventLogWriter(List.of(HashAlg.SHA1, HashAlg.SHA256))
                .startupLocality(0)
                .extendData(0, EventType.EV_S_CRTM_VERSION, "firmware".getBytes(StandardCharsets.US_ASCII))
                .extendData(0, EventType.EV_SEPARATOR, new byte[4])
                .extendData(17, EventType.TB_SKINIT_SLB, "loader".getBytes(StandardCharsets.US_ASCII))
                .toByteArray());
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair verdictKey = g.generateKeyPair();
        long now = System.currentTimeMillis() / 1000;
        String token = new VerdictSigner(verdictKey, "trustbit-verifier").sign(new VerdictSigner.Claims("node-1",
                EarStatus.AFFIRMING, List.of(), null, "default", "00", now, now + 3600));
        Files.writeString(d.resolve("verdict.jwt"), token, StandardCharsets.US_ASCII);
        Files.writeString(d.resolve("jwks.json"),
                "{\"keys\":[" + Es256.jwk((ECPublicKey) verdictKey.getPublic()) + "]}", StandardCharsets.US_ASCII);

        String k = d.resolve("k").toString();
        List<String> failed = new ArrayList<>();
        run(failed, "--version");
        run(failed, "--help");
        run(failed, "key", "new", "--out", k);
        run(failed, "image", "sign", "--key", k + ".key", "--kind", "guest", "--security-version", "1",
                d.resolve("guest.bin").toString());
        run(failed, "image", "verify", "--pub", k + ".pub", d.resolve("guest.bin").toString());
        run(failed, "image", "verify", "--json", "--pub", k + ".pub", d.resolve("guest.bin").toString());
        run(failed, "launch-config", "--signer", k + ".pub:1", "--out", d.resolve("launch.cfg").toString());
        run(failed, "measure", "--slb", d.resolve("slb.bin").toString(), "--vmm", d.resolve("vmm.bin").toString(),
                "--launch-config", d.resolve("launch.cfg").toString(), "--json");
        run(failed, "eventlog", "replay", "--json", d.resolve("log.bin").toString());
        run(failed, "eventlog", "replay", d.resolve("log.bin").toString());
        run(failed, "eventlog", "dump", d.resolve("log.bin").toString());
        run(failed, "verdict", "check", token, "--jwks", d.resolve("jwks.json").toString());
        run(failed, "verdict", "check", "--json", token, "--jwks", d.resolve("jwks.json").toString());
        quote(failed, d);
        if (!failed.isEmpty()) {
            throw new IllegalStateException("training commands failed:\n" + String.join("\n", failed));
        }
    }

    /**
     * {@code quote} (creating the AK, then loading it) against a swtpm started here when one is installed: TSS.Java
     * and the evidence JSON make it the slowest of the short commands to start without the archive. Without swtpm
     * the archive leaves the quote path out, and says so.
     */
    private static void quote(List<String> failed, Path d) throws IOException {
        boolean installed = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, "swtpm")));
        if (!installed) {
            System.err.println("ArchiveTraining: no swtpm on PATH; the class-data archive leaves out 'trustbit quote'");
            return;
        }
        // a fresh TPM and AK every build: a swtpm stopped without TPM2_Shutdown counts a dictionary-attack
        // failure in its state, and a state reused over a few builds ends in lockout
        deleteTree(d.resolve("swtpm"));
        deleteTree(d.resolve("ak"));
        int port = freePortPair();
        Path state = Files.createDirectories(d.resolve("swtpm"));
        Process swtpm = new ProcessBuilder("swtpm", "socket", "--tpm2",
                "--server", "type=tcp,port=" + port + ",bindaddr=127.0.0.1",
                "--ctrl", "type=tcp,port=" + (port + 1) + ",bindaddr=127.0.0.1",
                "--tpmstate", "dir=" + state, "--flags", "not-need-init,startup-clear")
                .redirectErrorStream(true).redirectOutput(d.resolve("swtpm.log").toFile()).start();
        try {
            awaitListening(port);
            for (int i = 0; i < 2; i++) {
                run(failed, "quote", "--tpm", "swtpm:127.0.0.1:" + port, "--nonce", "00112233",
                        "--state-dir", d.resolve("ak").toString(), "--out", d.resolve("quote").toString());
            }
        } finally {
            swtpm.destroy();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static int freePortPair() throws IOException {
        while (true) {
            try (ServerSocket a = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                    ServerSocket b = new ServerSocket(a.getLocalPort() + 1, 1, InetAddress.getLoopbackAddress())) {
                return a.getLocalPort();
            } catch (BindException e) {
                // the port after the free one is taken: try another pair
            }
        }
    }

    private static void awaitListening(int port) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException e) {
                if (attempt == 100) {
                    throw new IOException("swtpm did not listen on port " + port + " within 10 s", e);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for swtpm", ie);
                }
            }
        }
    }

    private static void run(List<String> failed, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        if (code != 0) {
            failed.add(String.join(" ", args) + ": exit " + code + ": " + err.toString().strip());
        }
    }
}
