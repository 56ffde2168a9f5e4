package io.trustbit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.measure.Ed25519PublicKey;
import io.trustbit.measure.KeyFiles;
import io.trustbit.measure.LaunchConfig;
import io.trustbit.measure.LmsPublicKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code key new --type lms}, {@code image sign/verify} with an LMS key, {@code launch-config} with an LMS signer. */
class LmsCliTest {
    @TempDir Path dir;

    @Test
    void lmsKeySignsManifestsThatVerifyAndEnterALaunchConfiguration() throws Exception {
        Cli k = Cli.run("key", "new", "--type", "lms", "--lms-height", "5", "--lms-w", "8", "--out", dir.resolve("pq"));
        assertEquals(0, k.code(), k.toString());
        Path key = dir.resolve("pq.key");
        Path pub = dir.resolve("pq.pub");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        LmsPublicKey lms = (LmsPublicKey) KeyFiles.readSignerPublic(pub);
        assertEquals(k.out().strip(), lms.keyIdHex());
        assertEquals("LMS_SHA256_M32_H5/LMOTS_SHA256_N32_W8", lms.parameterSet());

        Path a = dir.resolve("a.img");
        Path b = dir.resolve("b.img");
        Files.write(a, new byte[] {1, 2, 3});
        Files.write(b, new byte[] {4, 5});
        Cli s = Cli.run("image", "sign", "--key", key, "--kind", "guest", "--security-version", "2", a, b);
        assertEquals(0, s.code(), s.toString());
        Cli v = Cli.run("image", "verify", "--pub", pub, "--kind", "guest", a);
        assertEquals(0, v.code(), v.toString());
        assertTrue(v.out().contains("signer " + lms.keyIdHex()), v.out());
        byte[] mf = Files.readAllBytes(dir.resolve("a.img.manifest"));
        assertEquals(2, mf[52]);  // algorithm: HSS/LMS
        // two images, two different leaves (bytes 4..7 of the HSS signature: q, big-endian)
        assertEquals(0, mf[88 + 7]);
        assertEquals(1, Files.readAllBytes(dir.resolve("b.img.manifest"))[88 + 7]);

        Cli ed = Cli.run("key", "new", "--out", dir.resolve("ed"));
        assertEquals(0, ed.code(), ed.toString());
        Cli wrong = Cli.run("image", "verify", "--pub", dir.resolve("ed.pub"), a);
        assertEquals(1, wrong.code(), wrong.toString());
        assertTrue(wrong.err().startsWith("trustbit: SIGNER_KEY:"), wrong.toString());

        Path cfg = dir.resolve("launch.cfg");
        Cli lc = Cli.run("launch-config", "--signer", dir.resolve("ed.pub") + ":1", "--signer", pub + ":2", "--out", cfg);
        assertEquals(0, lc.code(), lc.toString());
        LaunchConfig parsed = LaunchConfig.parse(Files.readAllBytes(cfg));
        assertEquals(2, Files.readAllBytes(cfg)[4]);  // version 2: an LMS signer
        assertEquals(lms, parsed.signers().get(1).key());
        assertTrue(parsed.signers().get(0).key() instanceof Ed25519PublicKey);
        assertEquals(2, parsed.signers().get(1).minSecurityVersion());
        Path cfg1 = dir.resolve("ed-only.cfg");
        assertEquals(0, Cli.run("launch-config", "--signer", dir.resolve("ed.pub"), "--out", cfg1).code());
        assertEquals(1, Files.readAllBytes(cfg1)[4]);  // all Ed25519: still version 1
    }

    @Test
    void badLmsOptionsAreOneLineErrors() {
        Cli h = Cli.run("key", "new", "--type", "lms", "--lms-height", "7", "--out", dir.resolve("x"));
        assertEquals(2, h.code(), h.toString());
        assertTrue(h.err().contains("height must be 5, 10, 15, 20 or 25"), h.toString());
        Cli w = Cli.run("key", "new", "--type", "lms", "--lms-height", "5", "--lms-w", "1", "--out", dir.resolve("x"));
        assertEquals(2, w.code(), w.toString());
        assertTrue(w.err().contains("must be 2, 4 or 8"), w.toString());
    }
}
