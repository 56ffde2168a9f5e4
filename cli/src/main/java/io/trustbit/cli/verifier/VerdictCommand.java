package io.trustbit.cli.verifier;

import io.trustbit.cli.CliException;
import io.trustbit.cli.Inputs;
import io.trustbit.cli.ExitCode;
import io.trustbit.cli.VerboseOption;
import io.trustbit.verifier.VerdictException;
import io.trustbit.verifier.VerdictVerifier;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
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
            return VerifierHttp.get(VerifierHttp.checkedUrl(jwks, "--jwks"), cacert, null, MAX_JWKS, "the JWKS");
        }
    }
}
