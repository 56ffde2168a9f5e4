package io.trustbit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.testkit.SoftHsm;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code key new --pkcs11} and {@code image sign --key pkcs11:…} against a SoftHSM2 token; {@code image verify} accepts. */
class Pkcs11CliTest {
    static SoftHsm hsm;
    @TempDir Path dir;

    @BeforeAll
    static void token() throws Exception {
        hsm = SoftHsm.freshToken();
    }

    @Test
    void tokenKeySignsAnImageThatVerifies() throws Exception {
        Cli k = Cli.run("key", "new", "--pkcs11", hsm.uri("release"), "--out", dir.resolve("release"), "--json");
        assertEquals(0, k.code(), k.toString());
        assertTrue(k.out().matches("\\{\"keyId\":\"[0-9a-f]{64}\"}\\s*"), k.out());
        assertTrue(Files.exists(dir.resolve("release.pub")));
        assertTrue(!Files.exists(dir.resolve("release.key")), "no private key file for a token key");
        Path image = dir.resolve("guest.bin");
        Files.write(image, new byte[] {1, 2, 3, 4});
        // the PIN from --pin-file instead of the URI's pin-source
        String noPin = "pkcs11:token=" + hsm.token() + ";object=release?module-path=" + SoftHsm.MODULE;
        Cli s = Cli.run("image", "sign", "--key", noPin, "--pin-file", hsm.pinFile(), "--kind", "guest",
                "--security-version", "3", image);
        assertEquals(0, s.code(), s.toString());
        Cli v = Cli.run("image", "verify", "--pub", dir.resolve("release.pub"), "--kind", "guest", "--json", image);
        assertEquals(0, v.code(), v.toString());
        assertTrue(v.out().contains(k.out().strip().replace("{\"keyId\":", "").replace("}", "")), v.out());
    }

    @Test
    void badUrisAndPinsAreOneClearLine() throws Exception {
        Path image = dir.resolve("g.bin");
        Files.write(image, new byte[] {9});
        Cli pinValue = Cli.run("image", "sign", "--key", "pkcs11:token=x;object=y?pin-value=1234", "--kind", "guest",
                "--security-version", "1", image);
        assertEquals(2, pinValue.code());
        assertTrue(pinValue.err().contains("pin-value is refused"), pinValue.err());
        Cli noPin = Cli.run("image", "sign", "--key", "pkcs11:token=" + hsm.token() + ";object=release?module-path="
                + SoftHsm.MODULE, "--kind", "guest", "--security-version", "1", image);
        assertEquals(2, noPin.code());
        assertTrue(noPin.err().contains("no PIN"), noPin.err());
        Cli pinFlag = Cli.run("image", "sign", "--key", hsm.uri("release"), "--pin", hsm.pin(), "--kind", "guest",
                "--security-version", "1", image);
        assertEquals(2, pinFlag.code(), "there is no --pin option");
        Cli passphrase = Cli.run("key", "new", "--pkcs11", hsm.uri("other"), "--passphrase-file", hsm.pinFile(),
                "--out", dir.resolve("o"));
        assertEquals(2, passphrase.code(), passphrase.toString());
        assertTrue(!Files.exists(image.resolveSibling("g.bin.manifest")));
    }
}
