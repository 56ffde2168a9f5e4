package io.trustbit.measure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key files (with OpenSSL as the cross-check), manifests and launch configurations. */
class ManifestAndKeysTest {
    @TempDir Path dir;

    private static String openssl(Path dir, String... args) throws Exception {
        Path out = dir.resolve("openssl.out");
        String[] cmd = new String[args.length + 1];
        cmd[0] = "openssl";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "openssl " + String.join(" ", args));
        return Files.readString(out);
    }

    @Test
    void keyFilesInteroperateWithOpenssl() throws Exception {
        SigningKey key = SigningKey.generate();
        Path base = dir.resolve("k");
        KeyFiles.write(base, key, null);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("k.key"))));
        assertEquals(Files.readString(dir.resolve("k.pub")), openssl(dir, "pkey", "-in", dir.resolve("k.key").toString(), "-pubout"));

        Path pass = dir.resolve("pass");
        Files.writeString(pass, "s3cret");
        KeyFiles.write(dir.resolve("e"), key, "s3cret".toCharArray());
        assertEquals(Files.readString(dir.resolve("k.pub")), openssl(dir, "pkey", "-in", dir.resolve("e.key").toString(),
                "-passin", "file:" + pass, "-pubout"));
        assertThrows(KeyFiles.KeyFileException.class, () -> KeyFiles.readPrivate(dir.resolve("e.key"), "wrong".toCharArray()));
        assertThrows(KeyFiles.KeyFileException.class, () -> KeyFiles.readPrivate(dir.resolve("e.key"), null));

        openssl(dir, "genpkey", "-algorithm", "ed25519", "-out", dir.resolve("o.key").toString());
        openssl(dir, "pkey", "-in", dir.resolve("o.key").toString(), "-pubout", "-out", dir.resolve("o.pub").toString());
        SigningKey theirs = KeyFiles.readPrivate(dir.resolve("o.key"), null);
        assertEquals(KeyFiles.readPublic(dir.resolve("o.pub")), theirs.publicKey());
        assertTrue(theirs.toString().startsWith("SigningKey[keyId="));

        openssl(dir, "genpkey", "-algorithm", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", dir.resolve("ec.key").toString());
        assertThrows(KeyFiles.KeyFileException.class, () -> KeyFiles.readPrivate(dir.resolve("ec.key"), null));
    }

    @Test
    void manifestRoundTripAndLayout() throws Exception {
        SigningKey key = SigningKey.generate();
        byte[] image = "guest image".getBytes(StandardCharsets.US_ASCII);
        ImageManifest m = ImageManifest.sign(ImageKind.GUEST, image.length, HashAlg.SHA256.digest(image), 42, key);
        byte[] b = m.encode();
        assertEquals(88 + 64, b.length);
        assertEquals("TBMF", new String(b, 0, 4, StandardCharsets.US_ASCII));
        assertEquals(2, b[6]);
        assertEquals(image.length, b[8]);
        assertArrayEquals(HashAlg.SHA256.digest(image), Arrays.copyOfRange(b, 16, 48));
        assertEquals(42, b[48]);
        assertEquals(1, b[52]);
        assertEquals(64, b[54]);
        assertArrayEquals(key.publicKey().keyId(), Arrays.copyOfRange(b, 56, 88));
        assertTrue(key.publicKey().verify(Arrays.copyOf(b, 88), Arrays.copyOfRange(b, 88, 152)));
        assertEquals(m, ImageManifest.parse(b));
        ImageVerifier.verify(b, ImageDigest.of(image), key.publicKey(),
                new ImageVerifier.Requirements(Optional.of(ImageKind.GUEST), 42));
    }

    /** A Linux manifest binds kernel, initrd and command line; changing any one of them is refused. */
    @Test
    void linuxManifestBindsKernelInitrdAndCommandLine() throws Exception {
        SigningKey key = SigningKey.generate();
        byte[] kernel = "bzImage".getBytes(StandardCharsets.US_ASCII);
        byte[] initrd = "initramfs".getBytes(StandardCharsets.US_ASCII);
        ImageManifest.LinuxPart lx = new ImageManifest.LinuxPart(initrd.length, HashAlg.SHA256.digest(initrd),
                "console=ttyS0 quiet");
        ImageManifest m = ImageManifest.signLinux(kernel.length, HashAlg.SHA256.digest(kernel), lx, 4, key);
        byte[] b = m.encode();
        assertEquals(130 + 19 + 64, b.length);
        assertEquals(3, b[6]);                                                     // kind linux
        assertEquals(initrd.length, b[88]);                                        // initrd length
        assertArrayEquals(HashAlg.SHA256.digest(initrd), Arrays.copyOfRange(b, 96, 128));
        assertEquals(19, b[128]);                                                  // command-line length
        assertEquals("console=ttyS0 quiet", new String(b, 130, 19, StandardCharsets.US_ASCII));
        assertTrue(key.publicKey().verify(Arrays.copyOf(b, 149), Arrays.copyOfRange(b, 149, 213)));
        assertEquals(m, ImageManifest.parse(b));
        assertEquals("console=ttyS0 quiet", ImageManifest.parse(b).linux().cmdline());
        ImageVerifier.Requirements linux = new ImageVerifier.Requirements(Optional.of(ImageKind.LINUX), 4);
        ImageVerifier.verify(b, ImageDigest.of(kernel), ImageDigest.of(initrd), key.publicKey(), linux);

        byte[] otherInitrd = "initramfz".getBytes(StandardCharsets.US_ASCII);
        assertEquals(ManifestVerificationException.Reason.IMAGE_DIGEST, assertThrows(ManifestVerificationException.class,
                () -> ImageVerifier.verify(b, ImageDigest.of(kernel), ImageDigest.of(otherInitrd), key.publicKey(),
                        linux)).reason());
        assertEquals(ManifestVerificationException.Reason.IMAGE_LENGTH, assertThrows(ManifestVerificationException.class,
                () -> ImageVerifier.verify(b, ImageDigest.of(kernel), null, key.publicKey(), linux)).reason());
        byte[] cmdline = b.clone();
        cmdline[140] ^= 1;                                                         // one command-line byte
        assertEquals(ManifestVerificationException.Reason.SIGNATURE, assertThrows(ManifestVerificationException.class,
                () -> ImageVerifier.verify(cmdline, ImageDigest.of(kernel), ImageDigest.of(initrd), key.publicKey(),
                        linux)).reason());
        for (int len = 0; len < b.length; len++) {
            byte[] cut = Arrays.copyOf(b, len);
            assertThrows(FormatException.class, () -> ImageManifest.parse(cut), "cut at " + len);
        }
        byte[] tab = b.clone();
        tab[131] = '\t';
        assertTrue(assertThrows(FormatException.class, () -> ImageManifest.parse(tab)).getMessage().contains("printable"));
        assertThrows(IllegalArgumentException.class, () -> ImageManifest.sign(ImageKind.LINUX, 1, new byte[32], 1, key));
        // the guest record of a launched Linux guest: version 2 with the initrd and command-line digests
        GuestRecord r = GuestRecord.launched("lx", m);
        byte[] enc = r.encode();
        assertEquals(GuestRecord.LINUX_SIZE, enc.length);
        assertEquals(2, enc[4]);
        assertArrayEquals(HashAlg.SHA256.digest(initrd), Arrays.copyOfRange(enc, 128, 160));
        assertArrayEquals(HashAlg.SHA256.digest("console=ttyS0 quiet".getBytes(StandardCharsets.US_ASCII)),
                Arrays.copyOfRange(enc, 160, 192));
        assertEquals(r, GuestRecord.parse(enc));
    }

    /** Every truncation and random mutation of a manifest is a FORMAT failure or a clean mismatch. */
    @Test
    void hostileManifestsFailCleanly() throws Exception {
        SigningKey key = SigningKey.generate();
        byte[] image = new byte[1000];
        byte[] b = ImageManifest.sign(ImageKind.VMM, image.length, HashAlg.SHA256.digest(image), 1, key).encode();
        for (int len = 0; len < b.length; len++) {
            byte[] cut = Arrays.copyOf(b, len);
            ManifestVerificationException e = assertThrows(ManifestVerificationException.class,
                    () -> ImageVerifier.verify(cut, ImageDigest.of(image), key.publicKey(), ImageVerifier.Requirements.none()));
            assertEquals(ManifestVerificationException.Reason.FORMAT, e.reason(), "cut at " + len);
        }
        Random rnd = new Random(3);
        for (int i = 0; i < 2000; i++) {
            byte[] m = b.clone();
            m[rnd.nextInt(m.length)] ^= (byte) (1 << rnd.nextInt(8));
            try {
                ImageVerifier.verify(m, ImageDigest.of(image), key.publicKey(), ImageVerifier.Requirements.none());
                throw new AssertionError("mutated manifest " + i + " verified");
            } catch (ManifestVerificationException expected) {
                // any reason, but nothing else may escape
            }
        }
    }

    @Test
    void launchConfigRoundTripAndStrictParse() throws Exception {
        LaunchConfig c = new LaunchConfig(List.of(new LaunchConfig.Signer(SigningKey.generate().publicKey(), 7)), "harness");
        byte[] b = c.encode();
        assertEquals(8 + 40 + 2 + 7, b.length);
        LaunchConfig back = LaunchConfig.parse(b);
        assertEquals(c.signers(), back.signers());
        assertEquals("harness", back.cmdline());
        byte[] trailing = Arrays.copyOf(b, b.length + 1);
        assertTrue(assertThrows(FormatException.class, () -> LaunchConfig.parse(trailing)).getMessage().contains("trailing"));
        byte[] zeroSigners = b.clone();
        zeroSigners[6] = 0;
        assertTrue(assertThrows(FormatException.class, () -> LaunchConfig.parse(zeroSigners)).getMessage()
                .contains("number of signers 0"));
        byte[] reserved = b.clone();
        reserved[8 + 36] = 1;
        assertTrue(assertThrows(FormatException.class, () -> LaunchConfig.parse(reserved)).getMessage()
                .contains("signer[0].reserved"));
        byte[] ctl = b.clone();
        ctl[b.length - 1] = '\n';
        assertTrue(assertThrows(FormatException.class, () -> LaunchConfig.parse(ctl)).getMessage()
                .contains("not printable ASCII"));
        for (int len = 0; len < b.length; len++) {
            byte[] cut = Arrays.copyOf(b, len);
            assertThrows(FormatException.class, () -> LaunchConfig.parse(cut));
        }
    }

    @Test
    void verifyAgainstListsEveryMismatchingPcr() throws Exception {
        byte[] log = new EventLogWriter(List.of(HashAlg.SHA1, HashAlg.SHA256))
                .extendData(17, EventType.TB_VMM, "vmm".getBytes(StandardCharsets.US_ASCII))
                .extendData(18, EventType.TB_LAUNCH_TYPE, "launch-type=skinit".getBytes(StandardCharsets.US_ASCII))
                .toByteArray();
        UntrustedEventLog parsed = UntrustedEventLog.parse(log);
        PcrValues good = parsed.replay();
        PcrValues.Builder bad = PcrValues.builder();
        bad.put(HashAlg.SHA256, 17, good.get(HashAlg.SHA256, 17).orElseThrow());
        bad.put(HashAlg.SHA256, 18, new byte[32]);
        bad.put(HashAlg.SHA1, 17, new byte[20]);
        bad.put(HashAlg.SHA256, 19, new byte[32]); // no events: must hold its start value 0 — it does
        ReplayMismatchException e = assertThrows(ReplayMismatchException.class, () -> parsed.verifyAgainst(bad.build()));
        assertEquals(2, e.mismatches().size(), e.getMessage());
        assertEquals("event log replay does not match PCR sha1:17, sha256:18", e.getMessage());

        // only the sha256 PCR 17 is quoted: only the PCR 17 event is verified
        PcrValues only17 = PcrValues.builder().put(HashAlg.SHA256, 17, good.get(HashAlg.SHA256, 17).orElseThrow()).build();
        VerifiedEventLog v = parsed.verifyAgainst(only17);
        assertEquals(1, v.events().size());
        assertEquals(17, v.events().get(0).pcrIndex());
        assertTrue(v.events().get(0).dataMatchesDigest());
        assertEquals(List.of(), v.appliedQuirks());
    }
}
