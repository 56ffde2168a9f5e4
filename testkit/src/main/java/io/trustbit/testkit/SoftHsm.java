package io.trustbit.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A fresh SoftHSM2 token for tests, in the throwaway token directory that the module's POM names with
 * SOFTHSM2_CONF (under target/, never the system's /var/lib/softhsm). Each call initializes a token with a new
 * label and writes its user PIN to a file beside it.
 */
public record SoftHsm(Path dir, String token, String pin, Path pinFile) {
    public static final Path MODULE = Path.of("/usr/lib/softhsm/libsofthsm2.so");

    public static SoftHsm freshToken() throws IOException, InterruptedException {
        String conf = System.getenv("SOFTHSM2_CONF");
        if (conf == null || !conf.contains("target")) {
            throw new IllegalStateException("the POM must set SOFTHSM2_CONF to a file under target/, not " + conf);
        }
        Path dir = Path.of(conf).getParent();
        Path tokens = dir.resolve("tokens");
        Files.createDirectories(tokens);
        Files.writeString(Path.of(conf), "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n");
        String token = "t" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        String pin = "246810";
        Result r = run("softhsm2-util", "--init-token", "--free", "--label", token, "--so-pin", "135791", "--pin", pin);
        if (r.code() != 0) {
            throw new IOException("softhsm2-util --init-token failed: " + r.out());
        }
        Path pinFile = dir.resolve(token + ".pin");
        Files.writeString(pinFile, pin + "\n");
        return new SoftHsm(dir, token, pin, pinFile);
    }

    /** {@code pkcs11:token=…;object=OBJECT?module-path=…&pin-source=file:…}. */
    public String uri(String object) {
        return "pkcs11:token=" + token + ";object=" + object + "?module-path=" + MODULE + "&pin-source=file:" + pinFile;
    }

    /** {@code pkcs11-tool --module … --token-label … --login --pin …} followed by {@code args}. */
    public Result pkcs11Tool(String... args) throws IOException, InterruptedException {
        String[] cmd = new String[7 + args.length];
        System.arraycopy(new String[] {"pkcs11-tool", "--module", MODULE.toString(), "--token-label", token, "--login", "--pin=" + pin}, 0, cmd, 0, 7);
        System.arraycopy(args, 0, cmd, 7, args.length);
        return run(cmd);
    }

    public record Result(int code, String out) {}

    public static Result run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " did not end within 60 s");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
