package io.trustbit.cli;

import io.trustbit.measure.KeyFiles;
import io.trustbit.measure.SigningKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code trustbit key ...}: signing keys. */
@Command(name = "key", mixinStandardHelpOptions = true, description = "Manage Ed25519 image signing keys and ECDSA/RSA application signing keys.", subcommands = {KeyCommand.New.class})
public final class KeyCommand {

    /** {@code trustbit key new --out PATH [--passphrase-file F]}: prints the key id, never key material. */
    @Command(name = "new", mixinStandardHelpOptions = true, description = "Create PATH.key (PKCS#8 PEM, mode 0600) and PATH.pub; print the key id.")
    static final class New implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin VerboseOption verbose;

        @Option(names = "--out", required = true, paramLabel = "PATH", description = "Writes PATH.key and PATH.pub.")
        Path out;

        @Option(names = "--passphrase-file", paramLabel = "FILE",
                description = "Encrypt the private key with the first line of FILE.")
        Path passphraseFile;

        @Option(names = "--json", description = "Print {\"keyId\":\"<hex>\"}.")
        boolean json;

        @Option(names = "--type", defaultValue = "ed25519", paramLabel = "TYPE",
                description = "ed25519 (image signing, default), or ecdsa-p256, rsa-2048, rsa-3072 (IMA application signing: also writes PATH.der).")
        String type;

        @Override
        public Integer call() {
            if (!"ed25519".equals(type)) {
                return AppKeyFiles.create(spec, type, out, passphraseFile, json);
            }
            char[] pass = Inputs.passphrase(passphraseFile);
            SigningKey key = SigningKey.generate();
            try {
                KeyFiles.write(out, key, pass);
            } catch (IOException e) {
                throw CliException.badInput("cannot write " + out + ".key/.pub: " + e.getMessage(), e);
            } finally {
                if (pass != null) {
                    Arrays.fill(pass, '\0');
                }
            }
            String id = key.publicKey().keyIdHex();
            spec.commandLine().getOut().println(json ? "{\"keyId\":\"" + id + "\"}" : id);
            return ExitCode.OK.code();
        }
    }
}
