package io.trustbit.measure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.measure.internal.Hex;
import io.trustbit.measure.internal.Lms;
import io.trustbit.measure.internal.Lms.LmsType;
import io.trustbit.measure.internal.Lms.OtsType;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.pqc.crypto.lms.HSSKeyGenerationParameters;
import org.bouncycastle.pqc.crypto.lms.HSSKeyPairGenerator;
import org.bouncycastle.pqc.crypto.lms.HSSPublicKeyParameters;
import org.bouncycastle.pqc.crypto.lms.HSSSigner;
import org.bouncycastle.pqc.crypto.lms.LMOtsParameters;
import org.bouncycastle.pqc.crypto.lms.LMSParameters;
import org.bouncycastle.pqc.crypto.lms.LMSigParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HSS/LMS (RFC 8554): the RFC's Appendix F vectors, Bouncy Castle's LMS (an independent
 * implementation) against ours in both directions, the crash-safe leaf state, manifests. Writes the
 * cases it checked to {@code target/lms/cross-cases.txt} for the C verifier (tests/cross/run lms).
 */
class LmsTest {
    @TempDir Path dir;

    /** Every line of ../crypto/test/rfc8554.txt: id, valid, HSS public key, message, signature. */
    private static List<String[]> rfcCases() throws Exception {
        Path f = Paths.get("").toAbsolutePath().resolveSibling("crypto").resolve("test").resolve("rfc8554.txt");
        List<String[]> out = new ArrayList<>();
        for (String line : Files.readAllLines(f)) {
            if (!line.startsWith("#") && !line.isBlank()) {
                out.add(line.split(" "));
            }
        }
        assertEquals(2, out.size(), "RFC 8554 test cases in " + f);
        return out;
    }

    @Test
    void rfc8554AppendixFVerifiesAndEveryKeyBitFlipIsRejected() throws Exception {
        List<String> failures = new ArrayList<>();
        for (String[] c : rfcCases()) {
            byte[] pub = HexFormat.of().parseHex(c[2]);
            byte[] msg = HexFormat.of().parseHex(c[3]);
            byte[] sig = HexFormat.of().parseHex(c[4]);
            if (!Lms.hssVerify(pub, msg, sig)) {
                failures.add(c[0] + ": rejected");
            }
            for (int bit = 0; bit < pub.length * 8; bit++) {
                pub[bit / 8] ^= (byte) (1 << (bit % 8));
                if (Lms.hssVerify(pub, msg, sig)) {
                    failures.add(c[0] + ": accepted with key bit " + bit + " flipped");
                }
                pub[bit / 8] ^= (byte) (1 << (bit % 8));
            }
            for (int i = 0; i < sig.length; i += 97) {
                sig[i] ^= 1;
                if (Lms.hssVerify(pub, msg, sig)) {
                    failures.add(c[0] + ": accepted with signature byte " + i + " changed");
                }
                sig[i] ^= 1;
            }
            if (Lms.hssVerify(pub, msg, java.util.Arrays.copyOf(sig, sig.length - 1))
                    || Lms.hssVerify(pub, msg, java.util.Arrays.copyOf(sig, sig.length + 1))) {
                failures.add(c[0] + ": accepted with a changed length");
            }
        }
        assertEquals(List.of(), failures);
    }

    private static AsymmetricCipherKeyPair bcKeyPair(LMSigParameters lms, LMOtsParameters ots) {
        HSSKeyPairGenerator g = new HSSKeyPairGenerator();
        g.init(new HSSKeyGenerationParameters(new LMSParameters[] {new LMSParameters(lms, ots)}, new SecureRandom()));
        return g.generateKeyPair();
    }

    @Test
    void bouncyCastleSignaturesVerifyHereAndOursVerifyInBouncyCastle() throws Exception {
        List<String> lines = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Object[][] sets = {
            {LMSigParameters.lms_sha256_n32_h5, LMOtsParameters.sha256_n32_w1, LmsType.H5, OtsType.W2, "H5-W1"},
            {LMSigParameters.lms_sha256_n32_h5, LMOtsParameters.sha256_n32_w2, LmsType.H5, OtsType.W4, "H5-W2"},
            {LMSigParameters.lms_sha256_n32_h10, LMOtsParameters.sha256_n32_w4, LmsType.H10, OtsType.W4, "H10-W4"},
            {LMSigParameters.lms_sha256_n32_h5, LMOtsParameters.sha256_n32_w8, LmsType.H5, OtsType.W8, "H5-W8"},
        };
        SecureRandom rnd = new SecureRandom();
        for (Object[] set : sets) {
            AsymmetricCipherKeyPair kp = bcKeyPair((LMSigParameters) set[0], (LMOtsParameters) set[1]);
            byte[] bcPub = ((HSSPublicKeyParameters) kp.getPublic()).getEncoded();
            HSSSigner bcSigner = new HSSSigner();
            bcSigner.init(true, kp.getPrivate());
            LmsSigningKey ours = LmsSigningKey.generate(dir.resolve("k" + lines.size() + ".key"), (LmsType) set[2],
                    (OtsType) set[3]);
            HSSSigner bcVerifier = new HSSSigner();
            bcVerifier.init(false, HSSPublicKeyParameters.getInstance(ours.publicKey().raw()));
            for (int i = 0; i < 6; i++) {
                byte[] msg = new byte[rnd.nextInt(200)];
                rnd.nextBytes(msg);
                byte[] bcSig = bcSigner.generateSignature(msg);
                String id = set[4] + "-" + i;
                if (!LmsPublicKey.fromRaw(bcPub).verify(msg, bcSig)) {
                    failures.add("Bouncy Castle " + id + ": rejected by us");
                }
                byte[] ourSig = ours.sign(msg);
                if (!bcVerifier.verifySignature(msg, ourSig)) {
                    failures.add("ours " + set[2] + "/" + set[3] + "#" + i + ": rejected by Bouncy Castle");
                }
                lines.add("bc-" + id + " valid " + Hex.of(bcPub) + " " + hexOrDash(msg) + " "
                        + Hex.of(bcSig));
                lines.add("ours-" + set[2] + "-" + set[3] + "-" + i + " valid " + Hex.of(ours.publicKey().raw()) + " "
                        + hexOrDash(msg) + " " + Hex.of(ourSig));
            }
        }
        assertEquals(List.of(), failures);
        Path out = Paths.get("target", "lms", "cross-cases.txt");
        Files.createDirectories(out.getParent());
        Files.write(out, lines);
    }

    private static String hexOrDash(byte[] b) {
        return b.length == 0 ? "-" : Hex.of(b);
    }

    @Test
    void signingAdvancesTheLeafOnDiskBeforeReturningAndStopsWhenExhausted() throws Exception {
        Path f = dir.resolve("small.key");
        LmsSigningKey k = LmsSigningKey.generate(f, LmsType.H5, OtsType.W8);
        assertEquals(LmsSigningKey.FILE_SIZE, Files.size(f));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        byte[] msg = "image".getBytes(StandardCharsets.US_ASCII);
        for (int q = 0; q < 32; q++) {
            byte[] sig = k.sign(msg);
            assertEquals(q, Lms.leafOf(sig), "leaf of signature " + q);
            assertEquals(32 - q - 1, k.remaining());
            assertTrue(k.publicKey().verify(msg, sig));
        }
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> k.sign(msg));
        assertTrue(e.getMessage().contains("all 32 one-time keys are used"), e.getMessage());
        // a second handle on the same file continues from the file, not from its own memory
        Path g = dir.resolve("shared.key");
        LmsSigningKey a = LmsSigningKey.generate(g, LmsType.H5, OtsType.W8);
        LmsSigningKey b = LmsSigningKey.open(g);
        assertEquals(0, Lms.leafOf(a.sign(msg)));
        assertEquals(1, Lms.leafOf(b.sign(msg)));
        assertEquals(2, Lms.leafOf(a.sign(msg)));
        assertArrayEquals(a.publicKey().raw(), b.publicKey().raw());
    }

    @Test
    void malformedKeyFilesAreRefusedNamingTheField() throws Exception {
        Path f = dir.resolve("m.key");
        LmsSigningKey.generate(f, LmsType.H5, OtsType.W4);
        byte[] good = Files.readAllBytes(f);
        byte[] beyond = good.clone();
        beyond[64] = 33; // next leaf 33 > 32 leaves
        Files.write(f, beyond);
        FormatException e = assertThrows(FormatException.class, () -> LmsSigningKey.open(f));
        assertTrue(e.getMessage().contains("next leaf"), e.getMessage());
        byte[] type = good.clone();
        type[8] = 42; // LMS type 42
        Files.write(f, type);
        e = assertThrows(FormatException.class, () -> LmsSigningKey.open(f));
        assertTrue(e.getMessage().contains("LMS type"), e.getMessage());
        Files.write(f, java.util.Arrays.copyOf(good, good.length + 1));
        assertThrows(FormatException.class, () -> LmsSigningKey.open(f));
        assertThrows(IllegalArgumentException.class, () -> LmsSigningKey.generate(dir.resolve("w1.key"), LmsType.H5, OtsType.W1));
    }

    @Test
    void lmsManifestSignsAndVerifiesAndIsRefusedUnderAnEd25519Key() throws Exception {
        LmsSigningKey k = LmsSigningKey.generate(dir.resolve("r.key"), LmsType.H5, OtsType.W4);
        byte[] img = "guest image".getBytes(StandardCharsets.US_ASCII);
        ImageDigest d = ImageDigest.of(img);
        ImageManifest m = ImageManifest.sign(ImageKind.GUEST, img.length, d.sha256(), 3, k);
        assertEquals(SignatureAlg.LMS, m.algorithm());
        assertEquals(Lms.hssSignatureSize(LmsType.H5, OtsType.W4), m.signature().length);
        ImageManifest parsed = ImageManifest.parse(m.encode());
        ImageVerifier.verify(parsed, d, k.publicKey(), ImageVerifier.Requirements.none());
        ManifestVerificationException e = assertThrows(ManifestVerificationException.class,
                () -> ImageVerifier.verify(parsed, d, SigningKey.generate().publicKey(), ImageVerifier.Requirements.none()));
        assertEquals(ManifestVerificationException.Reason.SIGNER_KEY, e.reason());
        byte[] bad = m.encode();
        bad[ImageManifest.SIGNED_LENGTH + 100] ^= 1;
        e = assertThrows(ManifestVerificationException.class, () -> ImageVerifier.verify(ImageManifest.parse(bad), d,
                k.publicKey(), ImageVerifier.Requirements.none()));
        assertEquals(ManifestVerificationException.Reason.SIGNATURE, e.reason());
    }

    @Test
    void launchConfigWithAnLmsSignerIsVersion2AndParsesStrictly() throws Exception {
        LmsPublicKey lms = LmsSigningKey.generate(dir.resolve("lc.key"), LmsType.H5, OtsType.W8).publicKey();
        Ed25519PublicKey ed = SigningKey.generate().publicKey();
        LaunchConfig c = new LaunchConfig(List.of(new LaunchConfig.Signer(ed, 1), new LaunchConfig.Signer(lms, 9)), "harness");
        byte[] blob = c.encode();
        // "TBLC", version 2, N = 2, (u16 type 1, u16 32, u32 1, 32 bytes), (u16 type 2, u16 60, u32 9, 60 bytes), u16 7, "harness"
        assertEquals(8 + 8 + 32 + 8 + 60 + 2 + 7, blob.length);
        assertEquals(2, blob[4]);
        assertEquals(c, LaunchConfig.parse(blob));
        byte[] badType = blob.clone();
        badType[8 + 40] = 3;
        FormatException e = assertThrows(FormatException.class, () -> LaunchConfig.parse(badType));
        assertTrue(e.getMessage().contains("signer[1].key type"), e.getMessage());
        byte[] badLen = blob.clone();
        badLen[8 + 40 + 2] = 56;
        e = assertThrows(FormatException.class, () -> LaunchConfig.parse(badLen));
        assertTrue(e.getMessage().contains("signer[1].key length"), e.getMessage());
        byte[] badLevels = blob.clone();
        badLevels[8 + 40 + 8 + 3] = 2;  // HSS L = 2
        e = assertThrows(FormatException.class, () -> LaunchConfig.parse(badLevels));
        assertTrue(e.getMessage().contains("signer[1].key"), e.getMessage());
    }
}
