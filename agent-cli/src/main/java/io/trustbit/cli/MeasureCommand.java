package io.trustbit.cli;

import io.trustbit.measure.DmaProtection;
import io.trustbit.measure.ExpectedMeasurements;
import io.trustbit.measure.FormatException;
import io.trustbit.measure.GuestRecord;
import io.trustbit.measure.ImageDigest;
import io.trustbit.measure.ImageManifest;
import io.trustbit.measure.LaunchConfig;
import io.trustbit.measure.LaunchType;
import io.trustbit.measure.ManifestVerificationException;
import io.trustbit.measure.PcrValues;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trustbit measure --slb F --vmm F [--launch-config F] [--launch-type skinit|emulated]
 * [--dma-protection iommu|none] [--guest NAME=IMAGE[:MANIFEST]]... [--linux NAME=KERNEL:INITRD:MANIFEST]... [--json]}: the PCR 17/18/19 values a
 * correct launch produces. Emulated runs (QEMU) need {@code --launch-type emulated}; a machine without an
 * IOMMU (QEMU's pc machine) {@code --dma-protection none}.
 */
@Command(name = "measure", mixinStandardHelpOptions = true, description = "Predict PCR 17, 18 (with --launch-config) and 19 (with --guest or --linux).")
public final class MeasureCommand implements Callable<Integer> {
    private static final long MAX_IMAGE = 64L * 1024 * 1024;

    @Spec CommandSpec spec;
    @Mixin VerboseOption verbose;

    @Option(names = "--slb", required = true, paramLabel = "slb.bin") Path slb;
    @Option(names = "--vmm", required = true, paramLabel = "vmm.bin") Path vmm;
    @Option(names = "--launch-config", paramLabel = "FILE") Path launchConfig;
    @Option(names = "--launch-type", paramLabel = "skinit|emulated", defaultValue = "skinit",
            description = "skinit (default, real hardware) or emulated (QEMU runs).") String launchType;
    @Option(names = "--dma-protection", paramLabel = "iommu|none", defaultValue = "iommu",
            description = "iommu (default: the VMM found and programmed an IOMMU) or none (no IOMMU).") String dma;
    @Option(names = "--guest", paramLabel = "NAME=IMAGE[:MANIFEST]",
            description = "A guest in module order; MANIFEST defaults to IMAGE.manifest.") List<String> guests = new ArrayList<>();
    @Option(names = "--linux", paramLabel = "NAME=KERNEL:INITRD:MANIFEST",
            description = "A Linux guest, after the --guest ones (as scripts/launch orders them).") List<String> linuxGuests = new ArrayList<>();
    @Option(names = "--json", description = "{\"pcrs\":{\"sha1\":{\"17\":\"<hex>\",...},\"sha256\":{...}}}") boolean json;

    @Override
    public Integer call() {
        LaunchType type = LaunchType.fromName(launchType).filter(t -> t != LaunchType.UNMEASURED)
                .orElseThrow(() -> CliException.badInput("--launch-type must be skinit or emulated, not " + launchType, null));
        DmaProtection dmaProtection = DmaProtection.fromName(dma)
                .orElseThrow(() -> CliException.badInput("--dma-protection must be iommu or none, not " + dma, null));
        ExpectedMeasurements.Builder b = ExpectedMeasurements.builder()
                .slb(Inputs.read(slb, ExpectedMeasurements.SLB_MAX, "SLB"))
                .vmm(Inputs.read(vmm, MAX_IMAGE, "VMM image"))
                .launchType(type)
                .dmaProtection(dmaProtection);
        if (launchConfig != null) {
            b.launchConfig(Inputs.read(launchConfig, LaunchConfig.MAX_SIZE, "launch configuration"));
        }
        for (String g : guests) {
            b.guest(guest(g));
        }
        for (String g : linuxGuests) {
            b.guest(linuxGuest(g));
        }
        PcrValues values;
        try {
            values = b.build().pcrValues();
        } catch (FormatException e) {
            throw CliException.badInput(e.getMessage(), e);
        } catch (ManifestVerificationException e) {
            throw new CliException(ExitCode.VERIFICATION_FAILED, e.reason() + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? PcrJson.of(values) + System.lineSeparator() : PcrJson.text(values));
        return ExitCode.OK.code();
    }

    private static ExpectedMeasurements.Guest guest(String spec) {
        int eq = spec.indexOf('=');
        if (eq <= 0 || eq == spec.length() - 1) {
            throw CliException.badInput("--guest must be NAME=IMAGE[:MANIFEST], not " + spec, null);
        }
        String name = spec.substring(0, eq);
        if (!GuestRecord.validName(name)) {
            throw CliException.badInput("--guest name must match [a-z0-9_-]{1,31}: " + name, null);
        }
        String rest = spec.substring(eq + 1);
        int colon = rest.lastIndexOf(':');
        Path image = Path.of(colon > 0 ? rest.substring(0, colon) : rest);
        Path manifest = colon > 0 ? Path.of(rest.substring(colon + 1)) : Inputs.manifestPath(image);
        return new ExpectedMeasurements.Guest(name, Inputs.imageDigest(image, done -> { }), manifest(manifest));
    }

    private static ExpectedMeasurements.Guest linuxGuest(String spec) {
        int eq = spec.indexOf('=');
        String[] parts = eq > 0 ? spec.substring(eq + 1).split(":", -1) : new String[0];
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
            throw CliException.badInput("--linux must be NAME=KERNEL:INITRD:MANIFEST, not " + spec, null);
        }
        String name = spec.substring(0, eq);
        if (!GuestRecord.validName(name)) {
            throw CliException.badInput("--linux name must match [a-z0-9_-]{1,31}: " + name, null);
        }
        return new ExpectedMeasurements.Guest(name, Inputs.imageDigest(Path.of(parts[0]), done -> { }),
                manifest(Path.of(parts[2])), Inputs.imageDigest(Path.of(parts[1]), done -> { }));
    }

    private static ImageManifest manifest(Path manifest) {
        try {
            return ImageManifest.parse(Inputs.read(manifest, ImageManifest.MAX_LENGTH + 1L, "manifest"));
        } catch (FormatException e) {
            throw CliException.badInput(manifest + ": " + e.getMessage(), e);
        }
    }
}
