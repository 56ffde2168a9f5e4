package io.trustbit.cli;

import io.trustbit.measure.AtomicFiles;
import io.trustbit.measure.KeyFiles;
import io.trustbit.measure.LaunchConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code trustbit launch-config --signer PATH.pub[:MINSV]... [--cmdline STR] --out FILE}. */
@Command(name = "launch-config", mixinStandardHelpOptions = true, description = "Write the launch configuration blob the SLB measures into PCR 18.")
public final class LaunchConfigCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin VerboseOption verbose;

    @Option(names = "--signer", required = true, paramLabel = "PATH.pub[:MINSV]",
            description = "A trusted image signer and its minimum security version (default 0); 1 to 16.")
    List<String> signers;

    @Option(names = "--cmdline", paramLabel = "STR", defaultValue = "", description = "VMM command line (printable ASCII, ≤ 1024).")
    String cmdline;

    @Option(names = "--out", required = true, paramLabel = "FILE") Path out;

    @Override
    public Integer call() {
        List<LaunchConfig.Signer> list = new ArrayList<>();
        for (String s : signers) {
            String path = s;
            long minSv = 0;
            int colon = s.lastIndexOf(':');
            if (colon > 0 && s.substring(colon + 1).matches("\\d{1,10}")) {
                path = s.substring(0, colon);
                minSv = Long.parseLong(s.substring(colon + 1));
            }
            try {
                io.trustbit.measure.SignerPublicKey key = KeyFiles.readSignerPublic(Path.of(path));
                if (key instanceof io.trustbit.measure.Ed25519PublicKey ed && !ed.isValidPoint()) {
                    throw CliException.badInput(path + ": not a valid Ed25519 public key (no curve point of prime order)", null);
                }
                list.add(new LaunchConfig.Signer(key, minSv));
            } catch (KeyFiles.KeyFileException e) {
                throw CliException.badInput(e.getMessage(), e);
            } catch (IllegalArgumentException e) {
                throw CliException.badInput("--signer " + s + ": " + e.getMessage(), e);
            }
        }
        LaunchConfig config;
        try {
            config = new LaunchConfig(list, cmdline);
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(e.getMessage(), e);
        }
        try {
            AtomicFiles.write(out, config.encode());
        } catch (IOException e) {
            throw CliException.badInput("cannot write " + out + ": " + e.getMessage(), e);
        }
        spec.commandLine().getOut().println(out);
        return ExitCode.OK.code();
    }
}
