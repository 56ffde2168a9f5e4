package io.trustbit.cli;

import io.trustbit.measure.FormatException;
import io.trustbit.measure.ima.ImaFormatException;
import io.trustbit.measure.ima.RuntimePolicy;
import io.trustbit.measure.ima.UntrustedImaEntry;
import io.trustbit.measure.ima.UntrustedImaLog;
import java.util.HexFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code trustbit policy from-ima LOG}: an allowlist of every file a reference machine measured, from its
 * binary_runtime_measurements. The reference log is taken as the operator's statement of what is good: it is
 * not checked against a quote here.
 */
@Command(name = "from-ima", mixinStandardHelpOptions = true,
        description = "Write a runtime policy that allows every file digest of a reference IMA measurement list.")
public final class PolicyFromImaCommand implements Callable<Integer> {
    /** Largest measurement list read. */
    static final long MAX_LOG = 512L * 1024 * 1024;

    @Spec CommandSpec spec;
    @Mixin VerboseOption verbose;
    @Mixin RuntimePolicyFiles output;

    @Parameters(paramLabel = "LOG", description = "binary_runtime_measurements of the reference machine.") Path log;

    @Option(names = "--exclude", paramLabel = "REGEX", description = "Paths left out of appraisal (regular expression matched from the start); repeatable.")
    List<String> excludes = new ArrayList<>();

    @Override
    public Integer call() {
        UntrustedImaLog parsed;
        try {
            parsed = UntrustedImaLog.parse(Inputs.read(log, MAX_LOG, "measurement list"));
        } catch (ImaFormatException e) {
            throw CliException.badInput(log + ": " + e.getMessage(), e);
        }
        RuntimePolicy.Builder b = RuntimePolicy.builder();
        int violations = 0;
        try {
            for (String x : excludes) {
                b.exclude(x);
            }
            for (UntrustedImaEntry e : parsed.entries()) {
                if (e.isViolation()) {
                    violations++;
                } else {
                    b.allow(e.claimedPath(), e.claimedFileDigestAlgo().imaName() + ":" + HexFormat.of().formatHex(e.claimedFileDigest()));
                }
            }
        } catch (FormatException e) {
            throw CliException.badInput(e.getMessage(), e);
        }
        RuntimePolicy policy = b.build();
        output.write(policy);
        spec.commandLine().getOut().println(output.out + ": " + policy.digests().size() + " paths, " + policy.digestCount()
                + " digests from " + parsed.entries().size() + " entries" + (violations > 0 ? " (" + violations + " violations left out)" : ""));
        return ExitCode.OK.code();
    }
}
