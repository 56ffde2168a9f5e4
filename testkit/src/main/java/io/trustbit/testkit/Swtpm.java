package io.trustbit.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real swtpm process for tests: TCP data channel on a free loopback port P, control channel on P+1,
 * started with {@code not-need-init,startup-clear}. Always killed on close; a state directory this class
 * created is deleted then too.
 */
public final class Swtpm implements AutoCloseable {
    private final Process process;
    private final Path stateDir;
    private final boolean ownsStateDir;
    private final int port;

    private Swtpm(Process process, Path stateDir, boolean ownsStateDir, int port) {
        this.process = process;
        this.stateDir = stateDir;
        this.ownsStateDir = ownsStateDir;
        this.port = port;
    }

    /** A fresh TPM with its state in a new temporary directory. */
    public static Swtpm start() throws IOException, InterruptedException {
        return start(Files.createTempDirectory("tb-swtpm"), true);
    }

    /** A TPM on the given state directory (created if missing; e.g. one prepared by swtpm_setup). */
    public static Swtpm start(Path stateDir) throws IOException, InterruptedException {
        return start(Files.createDirectories(stateDir), false);
    }

    private static Swtpm start(Path stateDir, boolean owns) throws IOException, InterruptedException {
        for (int attempt = 0; attempt < 10; attempt++) {
            int port = freePortPair();
            Process p = new ProcessBuilder(List.of("swtpm", "socket", "--tpm2",
                    "--server", "type=tcp,port=" + port + ",bindaddr=127.0.0.1",
                    "--ctrl", "type=tcp,port=" + (port + 1) + ",bindaddr=127.0.0.1",
                    "--tpmstate", "dir=" + stateDir, "--flags", "not-need-init,startup-clear"))
                    .redirectErrorStream(true)
                    .redirectOutput(stateDir.resolve("swtpm.log").toFile())
                    .start();
            Swtpm s = new Swtpm(p, stateDir, owns, port);
            if (s.awaitListening()) {
                return s;
            }
            s.stop();
        }
        throw new IOException("swtpm did not start (log: " + stateDir.resolve("swtpm.log") + ")");
    }

    private boolean awaitListening() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                new Socket("127.0.0.1", port + 1).close();
                return true;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        return false;
    }

    /** A port P below 65000 with P+1 also free at the time of asking (swtpm may still lose a race: retried). */
    private static int freePortPair() throws IOException {
        for (int i = 0; i < 50; i++) {
            int p;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                p = s.getLocalPort();
            }
            if (p < 65000) {
                try {
                    new ServerSocket(p + 1, 1, InetAddress.getLoopbackAddress()).close();
                    return p;
                } catch (IOException taken) {
                    // try another pair
                }
            }
        }
        throw new IOException("no free port pair on loopback");
    }

    /** The TPM data port. */
    public int port() {
        return port;
    }

    /** The swtpm control port (data port + 1). */
    public int controlPort() {
        return port + 1;
    }

    /** The {@code --tpm} spec for this swtpm. */
    public String spec() {
        return "swtpm:127.0.0.1:" + port;
    }

    /** The tpm2-tools TCTI for this swtpm. */
    public String tcti() {
        return "swtpm:host=127.0.0.1,port=" + port;
    }

    public Path stateDir() {
        return stateDir;
    }

    @Override
    public void close() {
        stop();
        if (ownsStateDir) {
            try (Stream<Path> files = Files.walk(stateDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException ignored) {
                // a temporary directory: best effort
            }
        }
    }

    private void stop() {
        process.destroy();
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
