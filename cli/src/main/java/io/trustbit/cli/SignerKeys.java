package io.trustbit.cli;

import io.trustbit.measure.KeyFiles;
import io.trustbit.measure.ManifestSigner;
import io.trustbit.measure.Pkcs11SigningKey;
import io.trustbit.measure.Pkcs11Uri;
import java.nio.file.Path;
import java.util.Arrays;

/** The image signing key a {@code --key} names: a key file, or a PKCS#11 URI ({@code pkcs11:token=…;object=…}). */
final class SignerKeys {
    private SignerKeys() {}

    /** The caller closes a {@link Pkcs11SigningKey} when done. */
    static ManifestSigner open(String key, Path passphraseFile, Path pinFile) {
        if (Pkcs11Uri.looksLikeUri(key)) {
            if (passphraseFile != null) {
                throw CliException.badInput("--passphrase-file is for key files; a PKCS#11 key takes --pin-file", null);
            }
            Pkcs11Uri uri = uri(key);
            char[] pin = null;
            try {
                pin = Pkcs11SigningKey.pin(uri, pinFile, System.getenv());
                return Pkcs11SigningKey.open(uri, Pkcs11SigningKey.modulePath(uri, System.getenv()), pin);
            } catch (Pkcs11SigningKey.Pkcs11KeyException e) {
                throw CliException.badInput(e.getMessage(), e);
            } finally {
                if (pin != null) {
                    Arrays.fill(pin, '\0');
                }
            }
        }
        if (pinFile != null) {
            throw CliException.badInput("--pin-file is for PKCS#11 keys (--key pkcs11:…)", null);
        }
        char[] pass = Inputs.passphrase(passphraseFile);
        try {
            return KeyFiles.readSigner(Path.of(key), pass);
        } catch (KeyFiles.KeyFileException e) {
            throw CliException.badInput(e.getMessage(), e);
        } finally {
            if (pass != null) {
                Arrays.fill(pass, '\0');
            }
        }
    }

    static Pkcs11Uri uri(String text) {
        try {
            return Pkcs11Uri.parse(text);
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(e.getMessage(), e);
        }
    }
}
