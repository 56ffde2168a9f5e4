package io.trustbit.cli.attest;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real swtpm (TCP data port P, control P+1) for one test class; always killed on close. */
final class SwtpmProcess implements AutoCloseable {
    private final Process process;
    final int port;

    private SwtpmProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static SwtpmProcess start(Path stateDir) throws IOException, InterruptedException {
        Files.createDirectories(stateDir);
        for (int attempt = 0; attempt < 10; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            if (port >= 65000) {
                continue;
            }
            Process p = new ProcessBuilder(List.of("swtpm", "socket", "--tpm2",
                    "--server", "type=tcp,port=" + port + ",bindaddr=127.0.0.1",
                    "--ctrl", "type=tcp,port=" + (port + 1) + ",bindaddr=127.0.0.1",
                    "--tpmstate", "dir=" + stateDir, "--flags", "not-need-init,startup-clear"))
                    .redirectErrorStream(true).redirectOutput(stateDir.resolve("swtpm.log").toFile()).start();
            SwtpmProcess s = new SwtpmProcess(p, port);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < deadline && p.isAlive()) {
                try {
                    new Socket("127.0.0.1", port + 1).close();
                    return s;
                } catch (IOException notYet) {
                    Thread.sleep(20);
                }
            }
            s.close();
        }
        throw new IOException("swtpm did not start");
    }

    String spec() {
        return "swtpm:127.0.0.1:" + port;
    }

    String tcti() {
        return "swtpm:host=127.0.0.1,port=" + port;
    }

    @Override
    public void close() {
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
