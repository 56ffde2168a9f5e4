package io.trustbit.cli;

import io.trustbit.measure.ima.ImaSigningKey;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;

/** {@code trustbit key new --type ecdsa-p256|rsa-2048|rsa-3072}: an IMA application signing key. */
final class AppKeyFiles {
    private AppKeyFiles() {}

    /** Writes PATH.key, PATH.pub and PATH.der (self-signed, CN = the file name) and prints the IMA key id. */
    static int create(CommandSpec spec, String type, Path out, Path passphraseFile, boolean json) {
        ImaSigningKey.Type t;
        try {
            t = ImaSigningKey.Type.fromCliName(type);
        } catch (IllegalArgumentException e) {
            throw CliException.badInput("--type " + type + ": use ed25519, ecdsa-p256, rsa-2048 or rsa-3072", e);
        }
        if (passphraseFile != null) {
            throw CliException.badInput("--passphrase-file: application keys are written unencrypted, as evmctl and the kernel's"
                    + " key tools read them; protect PATH.key (mode 0600) instead", null);
        }
        ImaSigningKey key = ImaSigningKey.generate(t);
        try {
            key.write(out, out.getFileName().toString());
        } catch (IOException e) {
            throw CliException.badInput("cannot write " + out + ".key/.pub/.der: " + e.getMessage(), e);
        }
        String id = key.publicKey().keyIdHex();
        spec.commandLine().getOut().println(json ? "{\"keyId\":\"" + id + "\"}" : id);
        return ExitCode.OK.code();
    }
}
