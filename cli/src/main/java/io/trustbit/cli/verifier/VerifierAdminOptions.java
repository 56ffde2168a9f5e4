package io.trustbit.cli.verifier;

import io.trustbit.cli.CliException;
import io.trustbit.cli.Inputs;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How a command reaches the verifier's admin API: {@code --url}, {@code --data-dir}, {@code --token-file},
 * {@code --cacert}. Every admin command mixes this in, so they share their options, defaults and error lines.
 */
public final class VerifierAdminOptions {
    private static final int MAX_TOKEN = 4096;

    @Option(names = "--url", paramLabel = "URL",
            description = "The verifier (default https://127.0.0.1:8443); plain http only to a loopback address.")
    String url = "https://127.0.0.1:8443";

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "The verifier's data directory, where the defaults of --token-file and --cacert are (default ./verifier-data).")
    Path dataDir = Path.of("verifier-data");

    @Option(names = "--token-file", paramLabel = "FILE", description = "The admin token (default DATA-DIR/admin-token).")
    Path tokenFile;

    @Option(names = "--cacert", paramLabel = "PEM", description = "Trust this certificate for https (default "
            + "DATA-DIR/tls-cert.pem if it exists, else the system's trusted CAs).")
    Path cacert;

    /** The body of {@code GET URL/PATH} with the admin token (at most {@code max} bytes); failures name {@code what}. */
    byte[] get(String path, int max, String what) {
        URI base = VerifierHttp.checkedUrl(url, "--url");
        Path tokenPath = tokenFile != null ? tokenFile : dataDir.resolve("admin-token");
        String token = new String(Inputs.read(tokenPath, MAX_TOKEN, "admin token file"), StandardCharsets.US_ASCII).strip();
        if (!token.matches("[\\x21-\\x7e]+")) {
            throw CliException.badInput("admin token file " + tokenPath + " is empty or not one word of printable ASCII", null);
        }
        Path trust = cacert;
        Path beside = dataDir.resolve("tls-cert.pem");
        if (trust == null && "https".equals(base.getScheme()) && Files.exists(beside)) {
            trust = beside;
        }
        return VerifierHttp.get(URI.create(url.replaceAll("/+$", "") + path), trust, token, max, what);
    }
}
