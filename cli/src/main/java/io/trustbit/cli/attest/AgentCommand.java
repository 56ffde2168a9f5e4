package io.trustbit.cli.attest;

import io.trustbit.attest.Agent;
import io.trustbit.attest.AkType;
import io.trustbit.attest.AttestException;
import io.trustbit.attest.AttestationResult;
import io.trustbit.attest.EkType;
import io.trustbit.attest.NodeId;
import io.trustbit.attest.VerifierException;
import io.trustbit.attest.VerifierTrust;
import io.trustbit.cli.CliException;
import io.trustbit.cli.ExitCode;
import io.trustbit.cli.VerboseOption;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trustbit agent --tpm T --verifier URL [--node-id ID] [--state-dir DIR] [--interval 60s] [--once]
 * [--verifier-fingerprint SHA256HEX | --ca-cert PEM | --insecure-http-loopback]}.
 */
@Command(mixinStandardHelpOptions = true, name = "agent", description = {"Enroll with a verifier, then attest every interval (or once with --once).", "Creating the file attest-now in the state directory makes a running agent attest at once."})
public final class AgentCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin VerboseOption verbose;

    @Option(names = "--tpm", required = true, paramLabel = "T", description = "linux:/dev/tpmrm0, swtpm:HOST:PORT or proxy:SOCKET")
    String tpm;
    @Option(names = "--verifier", required = true, paramLabel = "URL", description = "e.g. https://verifier.example:8443")
    URI verifier;
    @Option(names = "--node-id", paramLabel = "ID", description = "Default: this host's name (it must then be a valid node id).")
    NodeId nodeId;
    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "/var/lib/trustbit/agent",
            description = "AK blob and enrollment state (default ${DEFAULT-VALUE}).")
    Path stateDir;
    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "60s", description = "e.g. 30s, 5m, 1h (default ${DEFAULT-VALUE}).")
    String interval;
    @Option(names = "--once", description = "Attest once (enrolling first if needed); exit 0 affirming, 1 otherwise, 3 if the TPM or verifier fails.")
    boolean once;
    @Option(names = "--pcrs", paramLabel = "SEL", defaultValue = "sha256:0-7,17-23", description = "PCR selection (default ${DEFAULT-VALUE}).")
    String pcrs;
    @Option(names = "--ak-type", paramLabel = "ecc|rsa", defaultValue = "ecc") String akType;
    @Option(names = "--ek-type", paramLabel = "ecc|rsa", description = "Default: the EK with a certificate, else ecc.") String ekType;
    @Option(names = "--drtm-log", paramLabel = "F", description = "DRTM event log file (default: from the tpm-proxy, if that is the TPM).")
    Path drtmLog;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Trust trust;

    static final class Trust {
        @Option(names = "--verifier-fingerprint", paramLabel = "SHA256HEX", description = "Pin the verifier's TLS certificate.")
        String fingerprint;
        @Option(names = "--ca-cert", paramLabel = "PEM", description = "CA certificate(s) that sign the verifier's TLS certificate.")
        Path caCert;
        @Option(names = "--insecure-http-loopback", description = "Allow plain http to a loopback verifier (tests, demos).")
        boolean insecureHttpLoopback;
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        Agent.Config cfg;
        Agent agent;
        try {
            VerifierTrust t = trust.fingerprint != null ? VerifierTrust.Fingerprint.parse(trust.fingerprint)
                    : trust.caCert != null ? new VerifierTrust.CaFile(trust.caCert) : new VerifierTrust.InsecureLoopback();
            cfg = new Agent.Config(tpm, verifier, t, nodeId == null ? hostNodeId() : nodeId, stateDir, duration(interval),
                    Selections.parse(pcrs), AkType.fromLabel(akType),
                    ekType == null ? Optional.empty() : Optional.of(EkType.fromLabel(ekType)), Optional.ofNullable(drtmLog));
            agent = new Agent(cfg, out);
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(e.getMessage(), e);
        } catch (IOException | GeneralSecurityException e) {
            throw CliException.badInput("cannot set up the verifier connection: " + e.getMessage(), e);
        }
        if (!once) {
            agent.run(() -> Thread.currentThread().isInterrupted());
            return ExitCode.OK.code();
        }
        AttestationResult r;
        try {
            r = agent.attestOnce();
        } catch (AttestException | VerifierException | IOException e) {
            throw CliException.environment("attestation failed: " + e.getMessage(), e);
        }
        out.println("status: " + r.status());
        for (String reason : r.reasons()) {
            out.println("  " + reason);
        }
        out.println("checked: " + String.join(" ", r.checked()));
        out.println("verdict: " + r.verdict());
        return r.affirming() ? ExitCode.OK.code() : ExitCode.VERIFICATION_FAILED.code();
    }

    static Duration duration(String s) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([1-9][0-9]{0,6})(ms|s|m|h)?").matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("--interval '" + s + "' must look like 500ms, 30s, 5m or 1h");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }

    /** This host's name as the node id; a name that is not a valid id is refused rather than replaced. */
    private static NodeId hostNodeId() {
        String h;
        try {
            h = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            throw CliException.badInput("cannot determine this host's name (" + e.getMessage() + "): give --node-id", e);
        }
        return hostNodeId(h);
    }

    static NodeId hostNodeId(String hostName) {
        if (!NodeId.isValid(hostName)) {
            throw CliException.badInput("this host's name " + NodeId.quoted(hostName) + " is not a valid node id ("
                    + NodeId.RULE + "): give one with --node-id", null);
        }
        return NodeId.of(hostName);
    }
}
