package io.trustbit.cli;

import io.trustbit.measure.AtomicFiles;
import io.trustbit.measure.KeyFiles;
import io.trustbit.measure.LmsSigningKey;
import io.trustbit.measure.Pkcs11SigningKey;
import io.trustbit.measure.Pkcs11Uri;
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
@Command(name = "key", mixinStandardHelpOptions = true, description = "Manage Ed25519 and LMS image signing keys and ECDSA/RSA application signing keys.", subcommands = {KeyCommand.New.class})
public final class KeyCommand {

    /** {@code trustbit key new --out PATH [--passphrase-file F]}: prints the key id, never key material. */
    @Command(name = "new", mixinStandardHelpOptions = true, description = "Create PATH.key (PKCS#8 PEM, mode 0600) and PATH.pub, or with --pkcs11 a key in a token and PATH.pub; print the key id.")
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
                description = "ed25519 (image signing, default), lms (hash-based image signing, RFC 8554: a stateful key), or ecdsa-p256, rsa-2048, rsa-3072 (IMA application signing: also writes PATH.der).")
        String type;

        @Option(names = "--pkcs11", paramLabel = "URI",
                description = "Generate the Ed25519 key inside a PKCS#11 token (sensitive, not extractable): pkcs11:token=LABEL;object=LABEL[?module-path=LIB&pin-source=file:PIN]; writes only PATH.pub.")
        String pkcs11;

        @Option(names = "--pin-file", paramLabel = "FILE",
                description = "With --pkcs11: the user PIN is this file's first line (else pin-source= or TRUSTBIT_PKCS11_PIN).")
        Path pinFile;

        @Option(names = "--lms-height", defaultValue = "10", paramLabel = "H",
                description = "With --type lms: tree height 5, 10, 15, 20 or 25 (2^H signatures; default 10).")
        int lmsHeight;

        @Option(names = "--lms-w", defaultValue = "4", paramLabel = "W",
                description = "With --type lms: Winternitz parameter 2, 4 or 8 (default 4).")
        int lmsW;

        @Override
        public Integer call() {
            if (pkcs11 != null) {
                return newInToken();
            }
            if (pinFile != null) {
                throw CliException.badInput("--pin-file is for --pkcs11", null);
            }
            if ("lms".equals(type)) {
                return newLms();
            }
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
            return printKeyId(key.publicKey().keyIdHex());
        }

        private int printKeyId(String id) {
            spec.commandLine().getOut().println(json ? "{\"keyId\":\"" + id + "\"}" : id);
            return ExitCode.OK.code();
        }

        /** The key pair is made by the token; PATH.pub (SubjectPublicKeyInfo PEM) is all that is written here. */
        private int newInToken() {
            if (!"ed25519".equals(type) || passphraseFile != null) {
                throw CliException.badInput("--pkcs11 makes an Ed25519 key and takes no --passphrase-file (the token's PIN guards it)", null);
            }
            Pkcs11Uri uri = SignerKeys.uri(pkcs11);
            char[] pin = null;
            try {
                pin = Pkcs11SigningKey.pin(uri, pinFile, System.getenv());
                try (Pkcs11SigningKey key = Pkcs11SigningKey.generate(uri, Pkcs11SigningKey.modulePath(uri, System.getenv()), pin)) {
                    AtomicFiles.write(out.resolveSibling(out.getFileName() + ".pub"), KeyFiles.publicPem(key.publicKey()));
                    return printKeyId(key.publicKey().keyIdHex());
                }
            } catch (Pkcs11SigningKey.Pkcs11KeyException e) {
                throw CliException.badInput(e.getMessage(), e);
            } catch (IOException e) {
                throw CliException.badInput("cannot write " + out + ".pub: " + e.getMessage(), e);
            } finally {
                if (pin != null) {
                    Arrays.fill(pin, '\0');
                }
            }
        }

        /** PATH.key: the LMS key file with its leaf state (0600); PATH.pub: SubjectPublicKeyInfo PEM. */
        private int newLms() {
            if (passphraseFile != null) {
                throw CliException.badInput("--passphrase-file does not apply to --type lms (the key file holds state rewritten on every signature)", null);
            }
            Path keyFile = out.resolveSibling(out.getFileName() + ".key");
            try {
                LmsSigningKey key = LmsSigningKey.generate(keyFile, lmsHeight, lmsW);
                KeyFiles.writeLmsPublic(out.resolveSibling(out.getFileName() + ".pub"), key.publicKey());
                return printKeyId(key.publicKey().keyIdHex());
            } catch (IllegalArgumentException e) {
                throw CliException.badInput(e.getMessage(), e);
            } catch (IOException e) {
                throw CliException.badInput("cannot write " + out + ".key/.pub: " + e.getMessage(), e);
            }
        }
    }
}
