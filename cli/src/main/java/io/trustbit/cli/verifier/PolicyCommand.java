package io.trustbit.cli.verifier;

import io.trustbit.cli.CliException;
import io.trustbit.cli.ExitCode;
import io.trustbit.cli.Inputs;
import io.trustbit.cli.VerboseOption;
import io.trustbit.measure.AtomicFiles;
import io.trustbit.measure.DmaProtection;
import io.trustbit.measure.ExpectedMeasurements;
import io.trustbit.measure.FormatException;
import io.trustbit.measure.HashAlg;
import io.trustbit.measure.ImageManifest;
import io.trustbit.measure.KeyFiles;
import io.trustbit.measure.LaunchConfig;
import io.trustbit.measure.LaunchType;
import io.trustbit.measure.ManifestVerificationException;
import io.trustbit.measure.PcrValues;
import io.trustbit.measure.ima.ImaKey;
import io.trustbit.measure.ima.RuntimePolicy;
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
        private static final int MAX_IMA_KEY = 64 * 1024;

        @Spec CommandSpec spec;
        @Mixin VerboseOption verbose;

        @Option(names = "--slb", required = true, paramLabel = "FILE") Path slb;
        @Option(names = "--vmm", required = true, paramLabel = "FILE") Path vmm;
        @Option(names = "--launch-config", required = true, paramLabel = "FILE") Path launchConfig;
        @Option(names = "--guest", paramLabel = "NAME=IMG:MANIFEST",
                description = "A guest the VMM must be able to launch (checked against the launch configuration).")
        List<String> guests = new ArrayList<>();
        @Option(names = "--linux", paramLabel = "NAME=KERNEL:INITRD:MANIFEST",
                description = "A Linux guest the VMM must be able to launch (checked against the launch configuration and --linux-signer).")
        List<String> linuxGuests = new ArrayList<>();
        @Option(names = "--linux-signer", paramLabel = "KEYID|PATH.pub",
                description = "A signer of the launch configuration that signs Linux guests (kernel, initrd, command line): "
                        + "listed in guests.linuxSigners, with the configuration's minimum security version, instead of guests.signers.")
        List<String> linuxSigners = new ArrayList<>();
        @Option(names = "--ima-key", paramLabel = "DER", description = "Add a runtime section (IMA, PCR 10) that trusts "
                + "programs signed by this key (certificate or SubjectPublicKeyInfo, DER); repeatable.")
        List<Path> imaKeys = new ArrayList<>();
        @Option(names = "--ima-exclude", paramLabel = "REGEX", description = "A path the runtime section leaves out of "
                + "appraisal (regular expression matched from the start); repeatable; needs --ima-key.")
        List<String> imaExcludes = new ArrayList<>();
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
                List<String> linuxKeys = linuxKeyIds(parsed);
                List<ExpectedMeasurements.Guest> launched = new ArrayList<>();
                for (String g : guests) {
                    launched.add(guest("--guest", g, false, linuxKeys));
                }
                for (String g : linuxGuests) {
                    launched.add(guest("--linux", g, true, linuxKeys));
                }
                List<byte[]> pcr18 = new ArrayList<>();
                byte[] pcr17 = null;
                List<DmaProtection> dmas = allowNoDma ? List.of(DmaProtection.IOMMU, DmaProtection.NONE)
                        : List.of(DmaProtection.IOMMU);
                for (LaunchType t : allowEmulated ? List.of(LaunchType.SKINIT, LaunchType.EMULATED) : List.of(LaunchType.SKINIT)) {
                    for (DmaProtection dma : dmas) {
                        ExpectedMeasurements.Builder b = ExpectedMeasurements.builder().slb(slbBytes).vmm(vmmBytes)
                                .launchType(t).launchConfig(config).dmaProtection(dma);
                        launched.forEach(b::guest);
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
                    if (linuxKeys.contains(s.key().keyIdHex())) {
                        y.linuxSigner(s.key().keyId(), s.minSecurityVersion());
                    } else {
                        y.signer(s.key().keyId(), s.minSecurityVersion());
                    }
                }
                if (!imaKeys.isEmpty()) {
                    y.runtime(runtimeSection());
                } else if (!imaExcludes.isEmpty()) {
                    throw CliException.badInput("--ima-exclude needs --ima-key (a runtime section that trusts a key)", null);
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

        /** The runtime section of --ima-key and --ima-exclude: signed programs run, excluded paths are not appraised. */
        private RuntimePolicy runtimeSection() {
            RuntimePolicy.Builder b = RuntimePolicy.builder();
            for (Path k : imaKeys) {
                try {
                    b.trust(ImaKey.fromDer(read(k, MAX_IMA_KEY), null));
                } catch (FormatException e) {
                    throw CliException.badInput("--ima-key " + k + ": " + e.getMessage(), e);
                }
            }
            for (String x : imaExcludes) {
                try {
                    b.exclude(x);
                } catch (FormatException e) {
                    throw CliException.badInput("--ima-exclude " + x + ": " + e.getMessage(), e);
                }
            }
            return b.build();
        }

        /** The key ids (hex) the --linux-signer options name; each must be a signer of the launch configuration. */
        private List<String> linuxKeyIds(LaunchConfig config) {
            List<String> ids = new ArrayList<>();
            for (String s : linuxSigners) {
                String id;
                if (s.matches("[0-9a-fA-F]{64}")) {
                    id = s.toLowerCase(java.util.Locale.ROOT);
                } else {
                    try {
                        id = KeyFiles.readSignerPublic(Path.of(s)).keyIdHex();
                    } catch (KeyFiles.KeyFileException e) {
                        throw CliException.badInput("--linux-signer " + s + ": " + e.getMessage(), e);
                    }
                }
                if (config.signers().stream().noneMatch(c -> c.key().keyIdHex().equals(id))) {
                    throw CliException.badInput("--linux-signer " + s + ": key " + id + " is not a signer of the launch "
                            + "configuration " + launchConfig, null);
                }
                ids.add(id);
            }
            return ids;
        }

        /**
         * A {@code --guest NAME=IMAGE:MANIFEST} or {@code --linux NAME=KERNEL:INITRD:MANIFEST}; its signer must be one
         * the policy accepts for its kind: a Linux guest's one of {@code linuxKeys} when there are any, a flat
         * guest's none of them.
         */
        private static ExpectedMeasurements.Guest guest(String option, String spec, boolean linux, List<String> linuxKeys) {
            int eq = spec.indexOf('=');
            String[] files = eq <= 0 ? new String[0] : spec.substring(eq + 1).split(":", -1);
            if (files.length != (linux ? 3 : 2) || java.util.Arrays.asList(files).contains("")) {
                throw CliException.badInput(option + " " + spec + ": expected NAME=" + (linux ? "KERNEL:INITRD:MANIFEST"
                        : "IMAGE:MANIFEST"), null);
            }
            String name = spec.substring(0, eq);
            Path image = Path.of(files[0]);
            Path initrd = linux ? Path.of(files[1]) : null;
            Path manifest = Path.of(files[files.length - 1]);
            ImageManifest m;
            try {
                m = ImageManifest.parse(read(manifest, ImageManifest.MAX_LENGTH));
            } catch (FormatException e) {
                throw CliException.badInput(manifest + ": " + e.getMessage(), e);
            }
            String signer = java.util.HexFormat.of().formatHex(m.signerKeyId());
            if (linux && !linuxKeys.isEmpty() && !linuxKeys.contains(signer)) {
                throw CliException.failed(option + " " + name + ": signer " + signer + " is not a --linux-signer");
            }
            if (!linux && linuxKeys.contains(signer)) {
                throw CliException.failed(option + " " + name + ": signer " + signer + " is a --linux-signer, which the "
                        + "policy accepts for Linux guests only");
            }
            return new ExpectedMeasurements.Guest(name, Inputs.imageDigest(image, n -> { }),
                    m, initrd == null ? null : Inputs.imageDigest(initrd, n -> { }));
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
