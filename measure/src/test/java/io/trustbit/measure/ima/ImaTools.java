package io.trustbit.measure.ima;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real cross-checking tools (evmctl of ima-evm-utils, getfattr/setfattr of attr). */
final class ImaTools {
    private ImaTools() {}

    /** Exit code and combined output. */
    record Result(int code, String output) {}

    static Result run(Path dir, String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            return fail(command[0] + " is required for this test (Debian: apt-get install ima-evm-utils attr): " + e.getMessage());
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return fail(String.join(" ", command) + " did not finish in 60 s");
        }
        return new Result(p.exitValue(), out);
    }

    /**
     * A PCR file in the layout {@code evmctl ima_measurement --pcrs ALG,FILE} reads: 24 lines
     * {@code PCR-NN: <hex>}, with PCR 10 set and the others zero.
     */
    static Path pcrFile(Path dir, String name, byte[] pcr10) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 24; i++) {
            sb.append(String.format("PCR-%02d: ", i)).append(java.util.HexFormat.of()
                    .formatHex(i == 10 ? pcr10 : new byte[pcr10.length])).append('\n');
        }
        Path f = dir.resolve(name);
        Files.writeString(f, sb);
        return f;
    }
}
