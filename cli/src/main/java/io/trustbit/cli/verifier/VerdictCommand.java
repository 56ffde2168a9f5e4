package io.trustbit.cli.verifier;

import io.trustbit.attest.NetworkFailures;
import io.trustbit.cli.CliException;
import io.trustbit.cli.Inputs;
import io.trustbit.cli.ExitCode;
import io.trustbit.cli.VerboseOption;
import io.trustbit.verifier.VerdictException;
import io.trustbit.verifier.VerdictVerifier;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code trustbit verdict check TOKEN --jwks FILE|URL}: exit 0 only for a valid, unexpired, affirming verdict. */
@Command(mixinStandardHelpOptions = true, name = "verdict", description = "Signed verdicts of the verifier.", subcommands = VerdictCommand.Check.class)
public final class VerdictCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCode.BAD_INPUT.code();
    }

    @Command(mixinStandardHelpOptions = true, name = "check", description = "Verify a verdict JWT offline against a JWKS (exit 0: affirming).")
    public static final class Check implements Callable<Integer> {
        private static final int MAX_JWKS = 256 * 1024;

        @Spec CommandSpec spec;
        @Mixin VerboseOption verbose;

        @Parameters(paramLabel = "TOKEN", description = "The JWT, @FILE to read it from a file, or - for stdin.")
        String token;

        @Option(names = "--jwks", required = true, paramLabel = "FILE|URL", description = "JWKS file or https/http URL.")
        String jwks;

        @Option(names = "--cacert", paramLabel = "PEM",
                description = "Trust this certificate (e.g. the verifier's tls-cert.pem) for an https JWKS URL.")
        Path cacert;

        @Option(names = "--json", description = "Print the checked claims as JSON.") boolean json;

        @Override
        public Integer call() {
            String jwt = readToken();
            VerdictVerifier verifier;
            try {
                verifier = VerdictVerifier.fromJwks(fetchJwks());
            } catch (VerdictException e) {
                throw CliException.badInput("JWKS: " + e.getMessage(), e);
            }
            PrintWriter out = spec.commandLine().getOut();
            VerdictVerifier.Verified v;
            try {
                v = verifier.verify(jwt, Instant.now());
            } catch (VerdictException e) {
                throw CliException.failed("verdict invalid: " + e.getMessage());
            }
            if (json) {
                out.println("{\"status\":\"" + v.status() + "\",\"nodeId\":\"" + esc(v.nodeId()) + "\",\"policyId\":"
                        + (v.policyId() == null ? "null" : "\"" + esc(v.policyId()) + "\"") + ",\"expiresAt\":\""
                        + v.expiresAt() + "\",\"kid\":\"" + esc(v.kid()) + "\"}");
            } else {
                out.println(v.status() + ": node " + v.nodeId() + ", policy " + v.policyId() + ", expires " + v.expiresAt());
                for (String r : v.reasons()) {
                    out.println("  " + r);
                }
            }
            return v.affirming() ? ExitCode.OK.code() : ExitCode.VERIFICATION_FAILED.code();
        }

        private static String esc(String s) {
            return s == null ? "" : s.replace("\\", "\\\\").replace("\"", "\\\"").replaceAll("[\\x00-\\x1f]", "?");
        }

        private String readToken() {
            try {
                String t;
                if (token.equals("-")) {
                    InputStream in = System.in;
                    t = new String(in.readNBytes(VerdictVerifier.MAX_TOKEN + 1), StandardCharsets.US_ASCII);
                } else if (token.startsWith("@")) {
                    Path p = Path.of(token.substring(1));
                    if (Files.size(p) > VerdictVerifier.MAX_TOKEN) {
                        throw CliException.badInput(p + ": too large for a verdict", null);
                    }
                    t = Files.readString(p, StandardCharsets.US_ASCII);
                } else {
                    t = token;
                }
                return t.strip();
            } catch (IOException e) {
                throw CliException.badInput("cannot read the token: " + e.getMessage(), e);
            }
        }

        private byte[] fetchJwks() {
            if (!jwks.startsWith("https://") && !jwks.startsWith("http://")) {
                return Inputs.read(Path.of(jwks), MAX_JWKS, "JWKS file");
            }
            URI uri;
            HttpClient.Builder hb = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
            try {
                uri = URI.create(jwks);
                if (uri.getHost() == null) {
                    throw new IllegalArgumentException("no host");
                }
                if (cacert != null) {
                    hb.sslContext(pinned(cacert));
                }
            } catch (IllegalArgumentException e) {
                throw CliException.badInput("--jwks " + jwks + " is not a valid URL: " + e.getMessage(), e);
            } catch (IOException | GeneralSecurityException e) {
                throw CliException.badInput("--cacert " + cacert + ": " + e.getMessage(), e);
            }
            try {
                HttpResponse<InputStream> r = hb.build().send(HttpRequest.newBuilder(uri)
                        .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = r.body()) {
                    byte[] body = in.readNBytes(MAX_JWKS + 1);
                    if (r.statusCode() != 200) {
                        throw CliException.environment("cannot fetch the JWKS: " + NetworkFailures.hostAndPort(uri)
                                + " answered HTTP " + r.statusCode(), null);
                    }
                    if (body.length > MAX_JWKS) {
                        throw CliException.environment("cannot fetch the JWKS: " + NetworkFailures.hostAndPort(uri)
                                + " sent more than " + MAX_JWKS + " bytes", null);
                    }
                    return body;
                }
            } catch (IOException e) {
                throw CliException.environment("cannot fetch the JWKS: " + NetworkFailures.describe(uri, e), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw CliException.environment("interrupted while fetching the JWKS", e);
            }
        }

        static SSLContext pinned(Path pem) throws IOException, GeneralSecurityException {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            try (InputStream in = Files.newInputStream(pem)) {
                int i = 0;
                for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    ks.setCertificateEntry("ca" + i++, (X509Certificate) c);
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        }
    }
}
