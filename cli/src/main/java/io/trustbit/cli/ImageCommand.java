package io.trustbit.cli;

import io.trustbit.measure.AtomicFiles;
import io.trustbit.measure.ImageDigest;
import io.trustbit.measure.ImageKind;
import io.trustbit.measure.ImageManifest;
import io.trustbit.measure.ImageVerifier;
import io.trustbit.measure.KeyFiles;
import io.trustbit.measure.ManifestVerificationException;
import io.trustbit.measure.ManifestSigner;
import io.trustbit.measure.Pkcs11SigningKey;
import io.trustbit.measure.SignerPublicKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code trustbit image sign|verify}: detached Ed25519 manifests of VMM and guest images. */
@Command(name = "image", mixinStandardHelpOptions = true, description = "Sign and verify VMM and guest images.",
        subcommands = {ImageCommand.Sign.class, ImageCommand.Verify.class})
public final class ImageCommand {

    static ImageKind kind(String name) {
        return ImageKind.fromCliName(name)
                .orElseThrow(() -> CliException.badInput("--kind must be vmm, guest or linux, not " + name, null));
    }

    /**
     * {@code trustbit image sign --key K --kind vmm|guest --security-version N IMAGE...}, or for a Linux
     * guest {@code --kind linux --initrd INITRD --cmdline TEXT KERNEL}: one manifest binds all three.
     */
    @Command(name = "sign", mixinStandardHelpOptions = true, description = "Write IMAGE.manifest for each IMAGE (atomically).")
    static final class Sign implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin VerboseOption verbose;

        @Option(names = "--key", required = true, paramLabel = "PATH.key|pkcs11:URI",
                description = "A key file, or a key in a PKCS#11 token: pkcs11:token=LABEL;object=LABEL[?module-path=LIB&pin-source=file:PIN] (RFC 7512).")
        String keyName;
        @Option(names = "--passphrase-file", paramLabel = "FILE") Path passphraseFile;
        @Option(names = "--pin-file", paramLabel = "FILE",
                description = "With a PKCS#11 key: the user PIN is this file's first line (else pin-source= or TRUSTBIT_PKCS11_PIN).")
        Path pinFile;
        @Option(names = "--kind", required = true, paramLabel = "vmm|guest|linux") String kind;
        @Option(names = "--security-version", required = true, paramLabel = "N") long securityVersion;
        @Option(names = "--initrd", paramLabel = "FILE", description = "The initramfs of a Linux kernel (--kind linux).") Path initrd;
        @Option(names = "--cmdline", paramLabel = "TEXT", description = "The kernel command line (--kind linux; printable ASCII, at most 1024).") String cmdline;
        @Parameters(arity = "1..*", paramLabel = "IMAGE") List<Path> images;

        @Override
        public Integer call() {
            ImageKind k = kind(kind);
            if (securityVersion < 0 || securityVersion > 0xFFFF_FFFFL) {
                throw CliException.badInput("--security-version must be 0..4294967295", null);
            }
            ImageManifest.LinuxPart linux = null;
            if (k == ImageKind.LINUX) {
                if (initrd == null || cmdline == null || images.size() != 1) {
                    throw CliException.badInput("--kind linux needs --initrd, --cmdline and exactly one kernel", null);
                }
                ImageDigest rd = Inputs.imageDigest(initrd, done -> { });
                try {
                    linux = new ImageManifest.LinuxPart(rd.length(), rd.sha256(), cmdline);
                } catch (IllegalArgumentException e) {
                    throw CliException.badInput("--cmdline: " + e.getMessage(), e);
                }
            } else if (initrd != null || cmdline != null) {
                throw CliException.badInput("--initrd and --cmdline are for --kind linux only", null);
            }
            ManifestSigner key = SignerKeys.open(keyName, passphraseFile, pinFile);
            try {
                writeManifests(key, k, linux);
            } finally {
                if (key instanceof Pkcs11SigningKey token) {
                    token.close();
                }
            }
            return ExitCode.OK.code();
        }

        private void writeManifests(ManifestSigner key, ImageKind k, ImageManifest.LinuxPart linux) {
            PrintWriter out = spec.commandLine().getOut();
            Progress progress = new Progress(spec.commandLine().getErr(), System.console() != null);
            for (Path image : images) {
                ImageDigest d = Inputs.imageDigest(image, progress.forFile(image));
                progress.done();
                ImageManifest m;
                try {
                    m = linux != null
                            ? ImageManifest.signLinux(d.length(), d.sha256(), linux, securityVersion, key)
                            : ImageManifest.sign(k, d.length(), d.sha256(), securityVersion, key);
                } catch (java.io.UncheckedIOException e) {
                    throw CliException.badInput("cannot sign " + image + ": " + e.getCause().getMessage(), e);
                }
                Path mf = Inputs.manifestPath(image);
                try {
                    AtomicFiles.write(mf, m.encode());
                } catch (IOException e) {
                    throw CliException.badInput("cannot write " + mf + ": " + e.getMessage(), e);
                }
                out.println(mf);
            }
        }
    }

    /** {@code trustbit image verify --pub K [--kind K] [--min-security-version N] [--manifest F] [--initrd F] IMAGE}. */
    @Command(name = "verify", mixinStandardHelpOptions = true, description = "Exit 0 if valid, 1 on a mismatch (reason on stderr), 2 if malformed.")
    static final class Verify implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin VerboseOption verbose;

        @Option(names = "--pub", required = true, paramLabel = "PATH.pub") Path pubFile;
        @Option(names = "--kind", paramLabel = "vmm|guest|linux") String kind;
        @Option(names = "--initrd", paramLabel = "FILE", description = "The initrd a Linux manifest binds.") Path initrd;
        @Option(names = "--min-security-version", paramLabel = "N", defaultValue = "0") long minSecurityVersion;
        @Option(names = "--manifest", paramLabel = "FILE", description = "Default: IMAGE.manifest.") Path manifest;
        @Option(names = "--json", description = "Print the verified manifest fields as JSON.") boolean json;
        @Parameters(arity = "1", paramLabel = "IMAGE") Path image;

        @Override
        public Integer call() {
            Optional<ImageKind> k = kind == null ? Optional.empty() : Optional.of(kind(kind));
            SignerPublicKey key;
            try {
                key = KeyFiles.readSignerPublic(pubFile);
            } catch (KeyFiles.KeyFileException e) {
                throw CliException.badInput(e.getMessage(), e);
            }
            Path mf = manifest != null ? manifest : Inputs.manifestPath(image);
            byte[] manifestBytes = Inputs.read(mf, ImageManifest.MAX_LENGTH + 1L, "manifest");
            ImageDigest d = Inputs.imageDigest(image, done -> { });
            ImageDigest rd = initrd == null ? null : Inputs.imageDigest(initrd, done -> { });
            ImageManifest m;
            try {
                m = ImageVerifier.verify(manifestBytes, d, rd, key, new ImageVerifier.Requirements(k, minSecurityVersion));
            } catch (ManifestVerificationException e) {
                String line = e.reason() + ": " + e.getMessage();
                if (e.reason() == ManifestVerificationException.Reason.FORMAT) {
                    throw CliException.badInput(line, e);
                }
                throw new CliException(ExitCode.VERIFICATION_FAILED, line, e);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println("{\"valid\":true,\"kind\":\"" + m.kind().cliName() + "\",\"securityVersion\":"
                        + m.securityVersion() + ",\"signerKeyId\":\"" + key.keyIdHex() + "\"}");
            } else {
                out.println("valid: " + m.kind().cliName() + " image, security version " + m.securityVersion()
                        + ", signer " + key.keyIdHex());
            }
            return ExitCode.OK.code();
        }
    }

    /** A progress bar on stderr, shown only on a terminal and only once hashing takes more than a moment. */
    static final class Progress {
        private static final long DELAY_NANOS = 500_000_000L;
        private final PrintWriter err;
        private final boolean enabled;
        private long start;
        private long lastDraw;
        private boolean drawn;

        Progress(PrintWriter err, boolean enabled) {
            this.err = err;
            this.enabled = enabled;
        }

        java.util.function.LongConsumer forFile(Path file) {
            if (!enabled) {
                return done -> { };
            }
            long total;
            try {
                total = java.nio.file.Files.size(file);
            } catch (IOException e) {
                return done -> { };
            }
            start = System.nanoTime();
            drawn = false;
            String name = file.getFileName().toString();
            return done -> {
                long now = System.nanoTime();
                if (now - start < DELAY_NANOS || now - lastDraw < 100_000_000L || total == 0) {
                    return;
                }
                lastDraw = now;
                int pct = (int) Math.min(100, done * 100 / total);
                int bars = pct * 30 / 100;
                err.print("\r[" + "#".repeat(bars) + " ".repeat(30 - bars) + "] " + pct + "% " + name);
                err.flush();
                drawn = true;
            };
        }

        void done() {
            if (drawn) {
                err.print("\r\033[K");
                err.flush();
                drawn = false;
            }
        }
    }
}
