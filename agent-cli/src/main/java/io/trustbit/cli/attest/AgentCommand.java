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
 * {@code trustbit agent [--config FILE] --tpm T --verifier URL [--node-id ID] [--state-dir DIR] [--interval 60s] [--once]
 * [--verifier-fingerprint SHA256HEX | --ca-cert PEM | --insecure-http-loopback]}.
 */
@Command(mixinStandardHelpOptions = true, name = "agent", description = {"Enroll with a verifier, then attest every interval (or once with --once).", "Creating the file attest-now in the state directory makes a running agent attest at once."})
public final class AgentCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin VerboseOption verbose;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Settings file: 'key = value' lines, keys are these options' names without dashes "
                    + "(tpm, verifier, verifier-fingerprint, ca-cert, node-id, state-dir, interval, attempts, pcrs, ak-type, "
                    + "ek-type, drtm-log, ima-log); options on the command line override it.")
    Path config;
    @Option(names = "--tpm", paramLabel = "T", description = "linux:/dev/tpmrm0, swtpm:HOST:PORT or proxy:SOCKET (required).")
    String tpm;
    @Option(names = "--verifier", paramLabel = "URL", description = "e.g. https://verifier.example:8443 (required).")
    URI verifier;
    @Option(names = "--node-id", paramLabel = "ID", description = "Default: this host's name (it must then be a valid node id).")
    NodeId nodeId;
    @Option(names = "--state-dir", paramLabel = "DIR", description = "AK blob and enrollment state (default /var/lib/trustbit/agent).")
    Path stateDir;
    @Option(names = "--interval", paramLabel = "DURATION", description = "e.g. 30s, 5m, 1h (default 60s).")
    String interval;
    @Option(names = "--once", description = "Attest once (enrolling first if needed); exit 0 affirming, 1 otherwise, 3 if the TPM or verifier fails.")
    boolean once;
    @Option(names = "--attempts", paramLabel = "N", description = "With --once: tries in all when the verifier cannot be "
            + "reached or answers 5xx, 1 s, 2 s, 4 s … apart (1-10, default 3).")
    String attempts;
    @Option(names = "--pcrs", paramLabel = "SEL", description = "PCR selection (default sha256:0-7,17-23).")
    String pcrs;
    @Option(names = "--ak-type", paramLabel = "ecc|rsa", description = "Default: ecc.") String akType;
    @Option(names = "--ek-type", paramLabel = "ecc|rsa", description = "Default: the EK with a certificate, else ecc.") String ekType;
    @Option(names = "--drtm-log", paramLabel = "F", description = "DRTM event log file (default: from the tpm-proxy, if that is the TPM).")
    Path drtmLog;
    @Option(names = "--ima-log", paramLabel = "F", description = "IMA measurement list to send, from where the verifier's "
            + "appraisal stands, with PCR 10 quoted (default: /sys/kernel/security/ima/binary_runtime_measurements with a "
            + "linux: TPM; sent whenever the file exists and the verifier's policy for the node appraises it).")
    Path imaLog;

    /** One of these is required, on the command line or in the --config file. */
    @ArgGroup(exclusive = true, multiplicity = "0..1")
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
        int attemptCount;
        AgentConfigFile file = config == null ? AgentConfigFile.none() : AgentConfigFile.read(config);
        try {
            VerifierTrust t = trust(file);
            String tpmSpec = required(tpm, file, "tpm");
            URI verifierUrl = verifier != null ? verifier : URI.create(required(null, file, "verifier"));
            NodeId node = nodeId != null ? nodeId : file.get("node-id").map(NodeId::of).orElseGet(AgentCommand::hostNodeId);
            Path state = stateDir != null ? stateDir : file.path("state-dir").orElse(Path.of("/var/lib/trustbit/agent"));
            Optional<Path> drtm = drtmLog != null ? Optional.of(drtmLog) : file.path("drtm-log");
            Optional<Path> ima = imaLog != null ? Optional.of(imaLog) : file.path("ima-log");
            String ek = ekType != null ? ekType : file.get("ek-type").orElse(null);
            cfg = new Agent.Config(tpmSpec, verifierUrl, t, node, state, duration(setting(interval, file, "interval", "60s")),
                    Selections.parse(setting(pcrs, file, "pcrs", "sha256:0-7,17-23")),
                    AkType.fromLabel(setting(akType, file, "ak-type", "ecc")),
                    ek == null ? Optional.empty() : Optional.of(EkType.fromLabel(ek)), drtm, ima);
            agent = new Agent(cfg, out);
            attemptCount = attempts(setting(attempts, file, "attempts", "3"));
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
            r = agent.attestOnce(attemptCount);
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

    /** The trust in the verifier: from the command line if any trust option is there, else from the file. */
    private VerifierTrust trust(AgentConfigFile file) throws IOException, GeneralSecurityException {
        if (trust != null) {
            return trust.fingerprint != null ? VerifierTrust.Fingerprint.parse(trust.fingerprint)
                    : trust.caCert != null ? new VerifierTrust.CaFile(trust.caCert) : new VerifierTrust.InsecureLoopback();
        }
        Optional<String> fp = file.get("verifier-fingerprint");
        Optional<Path> ca = file.path("ca-cert");
        if (fp.isPresent() && ca.isPresent()) {
            throw CliException.badInput("give verifier-fingerprint or ca-cert, not both", null);
        }
        if (fp.isPresent()) {
            return VerifierTrust.Fingerprint.parse(fp.get());
        }
        if (ca.isPresent()) {
            return new VerifierTrust.CaFile(ca.get());
        }
        throw CliException.badInput("the verifier's certificate is not pinned: give " + file.whereToGive("verifier-fingerprint")
                + ", " + file.whereToGive("ca-cert") + " or --insecure-http-loopback", null);
    }

    private static String required(String fromCommandLine, AgentConfigFile file, String key) {
        if (fromCommandLine != null) {
            return fromCommandLine;
        }
        return file.get(key).orElseThrow(() -> CliException.badInput(file.whereToGive(key) + " is required", null));
    }

    private static String setting(String fromCommandLine, AgentConfigFile file, String key, String dflt) {
        return fromCommandLine != null ? fromCommandLine : file.get(key).orElse(dflt);
    }

    static int attempts(String s) {
        if (!s.matches("[1-9]|10")) {
            throw new IllegalArgumentException("--attempts '" + s + "' must be a whole number from 1 to 10");
        }
        return Integer.parseInt(s);
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
