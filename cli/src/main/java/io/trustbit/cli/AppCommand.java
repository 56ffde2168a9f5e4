package io.trustbit.cli;

import io.trustbit.measure.FormatException;
import io.trustbit.measure.ima.ImaHashAlgo;
import io.trustbit.measure.ima.ImaKey;
import io.trustbit.measure.ima.ImaSignature;
import io.trustbit.measure.ima.ImaSignatureException;
import io.trustbit.measure.ima.ImaSigningKey;
import io.trustbit.measure.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code trustbit app sign|verify}: IMA signatures (security.ima, signature v2) of application files, as
 * {@code evmctl ima_sign} writes them and the kernel appraises them with {@code appraise_type=imasig}.
 */
@Command(name = "app", mixinStandardHelpOptions = true, description = "Sign applications for IMA appraisal and check their signatures.",
        subcommands = {AppCommand.Sign.class, AppCommand.Verify.class})
public final class AppCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCode.BAD_INPUT.code();
    }

    /** Where a signature is kept: the xattr, or FILE.sig as {@code evmctl ima_sign --sigfile} writes it. */
    static final class Storage {
        @Option(names = "--sigfile", description = "Use FILE.sig instead of the security.ima extended attribute.")
        boolean sigfile;

        Path sigPath(Path file) {
            return file.resolveSibling(file.getFileName() + ".sig");
        }
    }

    static byte[] digest(Path file, ImaHashAlgo algo) {
        MessageDigest md = algo.hash().newDigest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw CliException.badInput("cannot read " + file + ": " + e.getMessage(), e);
        }
        return md.digest();
    }

    @Command(name = "sign", mixinStandardHelpOptions = true,
            description = "Write an IMA signature (v2) of each FILE into its security.ima attribute (or FILE.sig); print FILE and the key id.")
    static final class Sign implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin VerboseOption verbose;
        @Mixin Storage storage;

        @Option(names = "--key", required = true, paramLabel = "KEY", description = "PEM private key (ECDSA P-256/P-384 or RSA), e.g. from `trustbit key new --type ecdsa-p256`.")
        Path key;

        @Option(names = "--hash", defaultValue = "sha256", paramLabel = "ALG", description = "File digest: sha256 (default), sha384, sha512.")
        String hash;

        @Parameters(paramLabel = "FILE", arity = "1..*") List<Path> files;

        @Override
        public Integer call() {
            ImaHashAlgo algo = ImaHashAlgo.fromImaName(hash).filter(a -> a != ImaHashAlgo.SHA1)
                    .orElseThrow(() -> CliException.badInput("--hash " + hash + ": use sha256, sha384 or sha512", null));
            ImaSigningKey signer;
            try {
                signer = ImaSigningKey.fromPem(Inputs.read(key, ImaSigningKey.MAX_PEM, "key file"));
            } catch (FormatException e) {
                throw CliException.badInput(key + ": " + e.getMessage(), e);
            }
            PrintWriter out = spec.commandLine().getOut();
            for (Path f : files) {
                byte[] value = ImaSignature.sign(signer, algo, digest(f, algo)).encode();
                try {
                    if (storage.sigfile) {
                        AtomicFiles.write(storage.sigPath(f), value);
                    } else {
                        SecurityIma.write(f, value);
                    }
                } catch (IOException e) {
                    throw CliException.badInput(e.getMessage(), e);
                }
                out.println(f + " signed by key " + signer.publicKey().keyIdHex());
            }
            return ExitCode.OK.code();
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check each FILE's IMA signature against the certificates; exit 1 if any is missing or wrong.")
    static final class Verify implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin VerboseOption verbose;
        @Mixin Storage storage;

        @Option(names = "--cert", required = true, paramLabel = "DER", description = "Trusted X.509 certificate (DER), e.g. app.der; repeatable.")
        List<Path> certs;

        @Parameters(paramLabel = "FILE", arity = "1..*") List<Path> files;

        @Override
        public Integer call() {
            List<ImaKey> trusted = certs.stream().map(c -> {
                try {
                    return ImaKey.fromCertificate(Inputs.read(c, 64 * 1024, "certificate"));
                } catch (FormatException e) {
                    throw CliException.badInput(c + ": " + e.getMessage(), e);
                }
            }).toList();
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            int code = ExitCode.OK.code();
            for (Path f : files) {
                try {
                    byte[] value = storage.sigfile ? Inputs.read(storage.sigPath(f), 64 * 1024, "signature file") : SecurityIma.read(f);
                    if (value == null) {
                        throw new ImaSignatureException("has no " + SecurityIma.NAME);
                    }
                    ImaSignature sig = ImaSignature.parse(value);
                    sig.verify(trusted, sig.hashAlgo(), digest(f, sig.hashAlgo()));
                    out.println(f + ": signature by key " + sig.keyIdHex() + " verified");
                } catch (ImaSignatureException | FormatException e) {
                    err.println(f + ": " + e.getMessage());
                    code = ExitCode.VERIFICATION_FAILED.code();
                } catch (IOException e) {
                    throw CliException.badInput(e.getMessage(), e);
                }
            }
            return code;
        }
    }
}
