package io.trustbit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code trustbit key new}, {@code image sign} and {@code image verify}, run in-process. */
class ImageCliTest {
    @TempDir Path dir;
    Path key;
    Path pub;
    Path image;
    Path manifest;

    @BeforeEach
    void signOneImage() throws Exception {
        Cli k = Cli.run("key", "new", "--out", dir.resolve("signer"));
        assertEquals(0, k.code(), k.toString());
        key = dir.resolve("signer.key");
        pub = dir.resolve("signer.pub");
        assertTrue(k.out().strip().matches("[0-9a-f]{64}"), k.out());
        image = dir.resolve("guest.img");
        byte[] content = new byte[300_000];
        new Random(1).nextBytes(content);
        Files.write(image, content);
        Cli s = Cli.run("image", "sign", "--key", key, "--kind", "guest", "--security-version", "5", image);
        assertEquals(0, s.code(), s.toString());
        manifest = dir.resolve("guest.img.manifest");
        assertTrue(Files.exists(manifest));
    }

    private Cli verify(Object... extra) {
        Object[] args = new Object[4 + extra.length + 1];
        args[0] = "image";
        args[1] = "verify";
        args[2] = "--pub";
        args[3] = pub;
        System.arraycopy(extra, 0, args, 4, extra.length);
        args[args.length - 1] = image;
        return Cli.run(args);
    }

    private void assertFails(Cli c, int code, String reason) {
        assertEquals(code, c.code(), c.toString());
        assertTrue(c.err().startsWith("trustbit: " + reason + ":"), c.toString());
        assertEquals(1, c.err().strip().lines().count(), "one line on stderr: " + c.err());
    }

    /** --kind linux binds kernel, initrd and command line; verify needs the same initrd. */
    @Test
    void linuxManifests() throws Exception {
        Path initrd = dir.resolve("initrd.img");
        Files.write(initrd, new byte[1234]);
        Cli s = Cli.run("image", "sign", "--key", key, "--kind", "linux", "--security-version", "6", "--initrd", initrd,
                "--cmdline", "console=ttyS0 quiet", image);
        assertEquals(0, s.code(), s.toString());
        Cli ok = verify("--kind", "linux", "--initrd", initrd);
        assertEquals(0, ok.code(), ok.toString());
        assertTrue(ok.out().startsWith("valid: linux image, security version 6"), ok.out());
        assertFails(verify("--kind", "linux"), 1, "IMAGE_LENGTH");
        Files.write(initrd, new byte[1233]);
        assertFails(verify("--initrd", initrd), 1, "IMAGE_LENGTH");
        Files.write(initrd, java.util.Arrays.copyOf(new byte[] {1}, 1234));
        assertFails(verify("--initrd", initrd), 1, "IMAGE_DIGEST");
        // usage: linux needs --initrd and --cmdline; they are for linux only
        assertEquals(2, Cli.run("image", "sign", "--key", key, "--kind", "linux", "--security-version", "1", image).code());
        assertEquals(2, Cli.run("image", "sign", "--key", key, "--kind", "guest", "--security-version", "1",
                "--cmdline", "x", image).code());
        assertEquals(2, Cli.run("image", "sign", "--key", key, "--kind", "linux", "--security-version", "1",
                "--initrd", initrd, "--cmdline", "tab\there", image).code());
    }

    @Test
    void keyFilesHaveTheRightModesAndNoKeyMaterialIsPrinted() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        String pem = Files.readString(key);
        assertTrue(pem.startsWith("-----BEGIN PRIVATE KEY-----"));
        String b64 = pem.lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat);
        Cli k = Cli.run("key", "new", "--out", dir.resolve("other"));
        String otherB64 = Files.readString(dir.resolve("other.key")).lines().filter(l -> !l.startsWith("-----"))
                .reduce("", String::concat);
        assertFalse(k.out().contains(otherB64.substring(0, 20)) || k.err().contains(otherB64.substring(0, 20)));
        assertFalse(b64.isEmpty());
        assertTrue(Files.readString(pub).startsWith("-----BEGIN PUBLIC KEY-----"));
    }

    @Test
    void roundTripIsValid() {
        Cli c = verify("--kind", "guest", "--min-security-version", "5");
        assertEquals(0, c.code(), c.toString());
        assertEquals(0, verify().code());
    }

    @Test
    void flippedImageBitIsAnImageDigestMismatch() throws Exception {
        byte[] b = Files.readAllBytes(image);
        b[123_456] ^= 0x10;
        Files.write(image, b);
        assertFails(verify(), 1, "IMAGE_DIGEST");
    }

    @Test
    void longerImageIsAnImageLengthMismatch() throws Exception {
        Files.write(image, new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);
        assertFails(verify(), 1, "IMAGE_LENGTH");
    }

    @Test
    void flippedManifestBitsFailTheSignature() throws Exception {
        byte[] original = Files.readAllBytes(manifest);
        // security version (offset 48), image digest (16), and the signature itself (88 + 10)
        for (int off : new int[] {48, 16, 8, 98, 151}) {
            byte[] b = original.clone();
            b[off] ^= 0x01;
            Files.write(manifest, b);
            assertFails(verify(), 1, "SIGNATURE");
        }
    }

    @Test
    void flippedKeyIdOrKeyIsASignerKeyMismatch() throws Exception {
        byte[] b = Files.readAllBytes(manifest);
        b[56] ^= 0x01; // signer key id
        Files.write(manifest, b);
        assertFails(verify(), 1, "SIGNER_KEY");

        Files.write(manifest, flip(b, 56));
        String pem = Files.readString(pub);
        String body = pem.lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat);
        byte[] der = Base64.getDecoder().decode(body);
        der[der.length - 5] ^= 0x04; // inside the raw 32-byte key
        Files.writeString(pub, "-----BEGIN PUBLIC KEY-----\n" + Base64.getEncoder().encodeToString(der)
                + "\n-----END PUBLIC KEY-----\n");
        assertFails(verify(), 1, "SIGNER_KEY");
    }

    private static byte[] flip(byte[] b, int off) {
        byte[] c = b.clone();
        c[off] ^= 0x01;
        return c;
    }

    @Test
    void anotherKeyIsASignerKeyMismatch() {
        Cli.run("key", "new", "--out", dir.resolve("other"));
        pub = dir.resolve("other.pub");
        assertFails(verify(), 1, "SIGNER_KEY");
    }

    @Test
    void truncatedOrExtendedManifestIsMalformed() throws Exception {
        byte[] original = Files.readAllBytes(manifest);
        for (int len : new int[] {0, 3, 4, 50, 87, 88, 151}) {
            Files.write(manifest, java.util.Arrays.copyOf(original, len));
            assertFails(verify(), 2, "FORMAT");
        }
        Files.write(manifest, java.util.Arrays.copyOf(original, original.length + 1));
        assertFails(verify(), 2, "FORMAT");
    }

    @Test
    void wrongKindAndLowSecurityVersionAreRefused() {
        assertFails(verify("--kind", "vmm"), 1, "KIND");
        assertFails(verify("--min-security-version", "6"), 1, "SECURITY_VERSION");
    }

    @Test
    void lmsManifestsAreParsedButRefused() throws Exception {
        byte[] b = Files.readAllBytes(manifest);
        b[52] = 2; // algorithm: LMS (signature length 64 is allowed for it)
        Files.write(manifest, b);
        assertFails(verify(), 1, "SIGNATURE");
        b[52] = 3; // unknown algorithm
        Files.write(manifest, b);
        assertFails(verify(), 2, "FORMAT");
    }

    @Test
    void missingFilesAreBadInput() throws Exception {
        Files.delete(image);
        Cli c = verify();
        assertEquals(2, c.code(), c.toString());
        Cli s = Cli.run("image", "sign", "--key", dir.resolve("nokey.key"), "--kind", "guest", "--security-version", "1",
                image);
        assertEquals(2, s.code(), s.toString());
        Cli u = Cli.run("image", "sign", "--key", key, "--kind", "kernel", "--security-version", "1", image);
        assertEquals(2, u.code(), u.toString());
    }

    @Test
    void signsManyImagesInOneCallWithAnEncryptedKey() throws Exception {
        Path pass = dir.resolve("pass");
        Files.writeString(pass, "correct horse\n");
        assertEquals(0, Cli.run("key", "new", "--out", dir.resolve("enc"), "--passphrase-file", pass).code());
        assertTrue(Files.readString(dir.resolve("enc.key")).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        Object[] args = new Object[9 + 50];
        System.arraycopy(new Object[] {"image", "sign", "--key", dir.resolve("enc.key"), "--passphrase-file", pass,
            "--kind", "vmm", "--security-version"}, 0, args, 0, 9);
        args[9] = "7";
        for (int i = 0; i < 49; i++) {
            Path p = dir.resolve("img" + i);
            Files.write(p, ("image " + i).getBytes(StandardCharsets.US_ASCII));
            args[10 + i] = p;
        }
        Object[] trimmed = java.util.Arrays.copyOf(args, 59);
        Cli s = Cli.run(trimmed);
        assertEquals(0, s.code(), s.toString());
        for (int i = 0; i < 49; i++) {
            Cli v = Cli.run("image", "verify", "--pub", dir.resolve("enc.pub"), "--kind", "vmm", dir.resolve("img" + i));
            assertEquals(0, v.code(), v.toString());
        }
        Files.writeString(pass, "wrong\n");
        Cli w = Cli.run("image", "sign", "--key", dir.resolve("enc.key"), "--passphrase-file", pass, "--kind", "vmm",
                "--security-version", "1", dir.resolve("img0"));
        assertEquals(2, w.code(), w.toString());
    }
}
