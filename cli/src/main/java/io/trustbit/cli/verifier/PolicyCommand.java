package io.trustbit.cli.verifier;

import io.trustbit.cli.CliException;
import io.trustbit.cli.ExitCode;
import io.trustbit.cli.VerboseOption;
import io.trustbit.measure.AtomicFiles;
import io.trustbit.measure.DmaProtection;
import io.trustbit.measure.ExpectedMeasurements;
import io.trustbit.measure.FormatException;
import io.trustbit.measure.HashAlg;
import io.trustbit.measure.ImageDigest;
import io.trustbit.measure.ImageManifest;
import io.trustbit.measure.LaunchConfig;
import io.trustbit.measure.LaunchType;
import io.trustbit.measure.ManifestVerificationException;
import io.trustbit.measure.PcrValues;
import io.trustbit.verifier.Policy;
import io.trustbit.verifier.PolicyException;
import io.trustbit.verifier.PolicyYaml;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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

/** {@code trustbit policy lint|from-build}: reference-value policies (docs/formats.md "Policy"). */
@Command(mixinStandardHelpOptions = true, name = "policy", description = "Check and create verifier policies.",
        subcommands = {PolicyCommand.Lint.class, PolicyCommand.FromBuild.class, io.trustbit.cli.PolicyFromImaCommand.class, io.trustbit.cli.PolicyImportKeylimeCommand.class})
public final class PolicyCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCode.BAD_INPUT.code();
    }

    /** Exit 0 if every file is a valid policy, 1 if one is not, 2 if one cannot be read. */
    @Command(mixinStandardHelpOptions = true, name = "lint", description = "Check policy files against the schema.")
    public static final class Lint implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin VerboseOption verbose;

        @Parameters(paramLabel = "FILE", arity = "1..*") List<Path> files;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            int code = ExitCode.OK.code();
            for (Path f : files) {
                byte[] bytes;
                try {
                    if (Files.size(f) > Policy.MAX_BYTES) {
                        throw CliException.badInput(f + ": larger than " + Policy.MAX_BYTES + " bytes", null);
                    }
                    bytes = Files.readAllBytes(f);
                } catch (IOException e) {
                    throw CliException.badInput("cannot read " + f + ": " + e.getMessage(), e);
                }
                String name = f.getFileName().toString();
                String defaultId = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
                try {
                    Policy p = Policy.parse(bytes, defaultId);
                    out.println(f + ": ok (id " + p.id() + ", " + p.digest() + ", PCRs " + p.pcrsRead() + " in "
                            + p.bank().bankName() + (p.allowEmulated() ? ", emulated launch allowed" : "") + ")");
                } catch (PolicyException e) {
                    err.println(f + ": " + e.getMessage());
                    code = ExitCode.VERIFICATION_FAILED.code();
                }
            }
            return code;
        }
    }

    /** Computes the reference values of a build with measure's ExpectedMeasurements and writes a policy. */
    @Command(mixinStandardHelpOptions = true, name = "from-build", description = "Write a policy that accepts exactly this build.")
    public static final class FromBuild implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin VerboseOption verbose;

        @Option(names = "--slb", required = true, paramLabel = "FILE") Path slb;
        @Option(names = "--vmm", required = true, paramLabel = "FILE") Path vmm;
        @Option(names = "--launch-config", required = true, paramLabel = "FILE") Path launchConfig;
        @Option(names = "--guest", paramLabel = "NAME=IMG:MANIFEST",
                description = "A guest the VMM must be able to launch (checked against the launch configuration).")
        List<String> guests = new ArrayList<>();
        @Option(names = "--allow-emulated", description = "Also accept the emulated launch (tests and demos only).")
        boolean allowEmulated;
        @Option(names = "--allow-no-dma-protection", description = "Also accept a launch where the VMM found no IOMMU "
                + "(dma-protection=none); by default the policy requires DMA protection.")
        boolean allowNoDma;
        @Option(names = "--id", paramLabel = "ID", description = "Policy id (default: the output file name).") String id;
        @Option(names = "--out", required = true, paramLabel = "FILE") Path out;

        @Override
        public Integer call() {
            byte[] slbBytes = read(slb, ExpectedMeasurements.SLB_MAX);
            byte[] vmmBytes = read(vmm, 64L * 1024 * 1024);
            byte[] config = read(launchConfig, LaunchConfig.MAX_SIZE);
            String policyId = id;
            if (policyId == null) {
                String n = out.getFileName().toString();
                policyId = n.contains(".") ? n.substring(0, n.lastIndexOf('.')) : n;
            }
            try {
                LaunchConfig parsed = LaunchConfig.parse(config);
                List<byte[]> pcr18 = new ArrayList<>();
                byte[] pcr17 = null;
                List<DmaProtection> dmas = allowNoDma ? List.of(DmaProtection.IOMMU, DmaProtection.NONE)
                        : List.of(DmaProtection.IOMMU);
                for (LaunchType t : allowEmulated ? List.of(LaunchType.SKINIT, LaunchType.EMULATED) : List.of(LaunchType.SKINIT)) {
                    for (DmaProtection dma : dmas) {
                        ExpectedMeasurements.Builder b = ExpectedMeasurements.builder().slb(slbBytes).vmm(vmmBytes)
                                .launchType(t).launchConfig(config).dmaProtection(dma);
                        for (String g : guests) {
                            b.guest(guest(g));
                        }
                        PcrValues v = b.build().pcrValues();
                        pcr17 = v.get(HashAlg.SHA256, 17).orElseThrow();
                        pcr18.add(v.get(HashAlg.SHA256, 18).orElseThrow());
                    }
                }
                PolicyYaml y = new PolicyYaml().id(policyId).allowEmulated(allowEmulated).requireDmaProtection(!allowNoDma)
                        .description("from build: " + slb.getFileName() + ", " + vmm.getFileName() + ", "
                                + launchConfig.getFileName())
                        .pcr17(List.of(pcr17))
                        .slb(List.of(HashAlg.SHA256.digest(ExpectedMeasurements.slbMeasuredBytes(slbBytes))))
                        .vmm(List.of(HashAlg.SHA256.digest(vmmBytes)))
                        .pcr18(pcr18)
                        .launchConfig(List.of(HashAlg.SHA256.digest(config)));
                for (LaunchConfig.Signer s : parsed.signers()) {
                    y.signer(s.key().keyId(), s.minSecurityVersion());
                }
                AtomicFiles.write(out, y.toYaml().getBytes(StandardCharsets.UTF_8));
            } catch (FormatException | IllegalArgumentException e) {
                throw CliException.badInput(e.getMessage(), e);
            } catch (ManifestVerificationException e) {
                throw CliException.failed(e.getMessage());
            } catch (PolicyException e) {
                throw new IllegalStateException("generated policy does not lint: " + e.getMessage(), e);
            } catch (IOException e) {
                throw CliException.badInput("cannot write " + out + ": " + e.getMessage(), e);
            }
            spec.commandLine().getOut().println(out);
            return ExitCode.OK.code();
        }

        private static ExpectedMeasurements.Guest guest(String spec) {
            int eq = spec.indexOf('=');
            int colon = spec.lastIndexOf(':');
            if (eq <= 0 || colon < eq + 2 || colon == spec.length() - 1) {
                throw CliException.badInput("--guest " + spec + ": expected NAME=IMAGE:MANIFEST", null);
            }
            String name = spec.substring(0, eq);
            Path image = Path.of(spec.substring(eq + 1, colon));
            Path manifest = Path.of(spec.substring(colon + 1));
            try {
                return new ExpectedMeasurements.Guest(name, ImageDigest.of(image),
                        ImageManifest.parse(read(manifest, ImageManifest.MAX_LENGTH)));
            } catch (IOException e) {
                throw CliException.badInput("cannot read " + image + ": " + e.getMessage(), e);
            } catch (FormatException e) {
                throw CliException.badInput(manifest + ": " + e.getMessage(), e);
            }
        }

        private static byte[] read(Path p, long max) {
            try {
                long size = Files.size(p);
                if (size > max) {
                    throw CliException.badInput(p + ": " + size + " bytes exceeds " + max, null);
                }
                return Files.readAllBytes(p);
            } catch (IOException e) {
                throw CliException.badInput("cannot read " + p + ": " + e.getMessage(), e);
            }
        }
    }
}
