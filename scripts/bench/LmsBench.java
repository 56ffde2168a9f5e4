import io.trustbit.measure.LmsSigningKey;
import io.trustbit.measure.Pkcs11SigningKey;
import io.trustbit.measure.Pkcs11Uri;
import io.trustbit.measure.SigningKey;
import io.trustbit.measure.internal.Lms;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.pqc.crypto.lms.HSSKeyGenerationParameters;
import org.bouncycastle.pqc.crypto.lms.HSSKeyPairGenerator;
import org.bouncycastle.pqc.crypto.lms.HSSSigner;
import org.bouncycastle.pqc.crypto.lms.LMOtsParameters;
import org.bouncycastle.pqc.crypto.lms.LMSParameters;
import org.bouncycastle.pqc.crypto.lms.LMSigParameters;

/**
 * Java side of scripts/bench/lms: signatures and verifications per second (one thread) of an 88-byte
 * manifest prefix, trustbit's code beside Bouncy Castle, in one JVM. Run with the CLI jar on the class
 * path: java -cp cli/target/trustbit-cli.jar scripts/bench/LmsBench.java SECONDS DIR
 */
public final class LmsBench {
    interface Op {
        void run() throws Exception;
    }

    static double rate(double seconds, Op op) throws Exception {
        for (long end = System.nanoTime() + 1_000_000_000L; System.nanoTime() < end; ) {
            op.run();   // warm-up
        }
        long n = 0;
        long start = System.nanoTime();
        long stop = start + (long) (seconds * 1e9);
        while (System.nanoTime() < stop) {
            op.run();
            n++;
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }

    /** Rate of exactly n operations, for stateful keys with a limited number of signatures. */
    static double count(int n, Op op) throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            op.run();
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what + " did not verify");
        }
    }

    public static void main(String[] a) throws Exception {
        double s = Double.parseDouble(a[0]);
        Path dir = Path.of(a[1]);
        byte[] msg = new byte[88];
        new SecureRandom().nextBytes(msg);

        SigningKey ed = SigningKey.generate();
        byte[] edSig = ed.sign(msg);
        System.out.printf("java ed25519 sign/s ours %.0f%n", rate(s, () -> ed.sign(msg)));
        System.out.printf("java ed25519 verify/s ours %.0f%n", rate(s, () -> check(ed.publicKey().verify(msg, edSig), "ed25519")));
        // a[2]: a PKCS#11 URI with module-path and pin-source; the token generates the key and signs (each signature
        // is verified against the token's public key before it is returned, as image sign does)
        if (a.length > 2) {
            Pkcs11Uri uri = Pkcs11Uri.parse(a[2]);
            try (Pkcs11SigningKey tok = Pkcs11SigningKey.generate(uri, uri.modulePath().orElseThrow(),
                    Pkcs11SigningKey.pin(uri, null, System.getenv()))) {
                System.out.printf("java ed25519 sign/s pkcs11 %.0f%n", rate(s, () -> tok.sign(msg)));
            }
            System.out.printf("java ed25519 sign-and-verify/s ours %.0f%n", rate(s, () -> check(ed.publicKey().verify(msg, ed.sign(msg)), "ed25519")));
        }
        Ed25519PrivateKeyParameters bcEd = new Ed25519PrivateKeyParameters(new SecureRandom());
        Ed25519Signer bcEdS = new Ed25519Signer();
        bcEdS.init(true, bcEd);
        Ed25519Signer bcEdV = new Ed25519Signer();
        bcEdV.init(false, bcEd.generatePublicKey());
        bcEdS.update(msg, 0, msg.length);
        byte[] bcEdSig = bcEdS.generateSignature();
        System.out.printf("java ed25519 sign/s bc %.0f%n", rate(s, () -> {
            bcEdS.update(msg, 0, msg.length);
            bcEdS.generateSignature();
        }));
        System.out.printf("java ed25519 verify/s bc %.0f%n", rate(s, () -> {
            bcEdV.update(msg, 0, msg.length);
            check(bcEdV.verifySignature(bcEdSig), "bc ed25519");
        }));

        // LMS_SHA256_M32_H10 / LMOTS_SHA256_N32_W4
        long t0 = System.nanoTime();
        LmsSigningKey lms = LmsSigningKey.generate(dir.resolve("bench.key"), Lms.LmsType.H10, Lms.OtsType.W4);
        System.out.printf("java lms-h10w4 keygen-s ours %.2f%n", (System.nanoTime() - t0) / 1e9);
        byte[] lmsPub = lms.publicKey().raw();
        byte[] lmsSig = lms.sign(msg);
        Files.writeString(dir.resolve("ours.txt"), "ours valid " + hex(lmsPub) + " " + hex(msg) + " " + hex(lmsSig) + "\n");
        // 900 of the 1024 leaves, each durable (lock, write, fsync, rename, fsync directory)
        count(100, () -> lms.sign(msg));
        System.out.printf("java lms-h10w4 sign/s ours-durable %.0f%n", count(800, () -> lms.sign(msg)));
        Lms.Tree tree = new Lms.Tree(Lms.LmsType.H10, Lms.OtsType.W4, new byte[16], new byte[32]);
        byte[] c = new byte[32];
        int[] q = {0};
        System.out.printf("java lms-h10w4 sign/s ours-in-memory %.0f%n", rate(s, () -> tree.sign(q[0]++ & 1023, msg, c)));
        System.out.printf("java lms-h10w4 verify/s ours %.0f%n", rate(s, () -> check(Lms.hssVerify(lmsPub, msg, lmsSig), "lms")));

        HSSKeyPairGenerator g = new HSSKeyPairGenerator();
        g.init(new HSSKeyGenerationParameters(new LMSParameters[] {
            new LMSParameters(LMSigParameters.lms_sha256_n32_h10, LMOtsParameters.sha256_n32_w4)}, new SecureRandom()));
        t0 = System.nanoTime();
        AsymmetricCipherKeyPair kp = g.generateKeyPair();
        HSSSigner bcS = new HSSSigner();
        bcS.init(true, kp.getPrivate());
        byte[] bcSig = bcS.generateSignature(msg);
        System.out.printf("java lms-h10w4 keygen-s bc %.2f%n", (System.nanoTime() - t0) / 1e9);
        count(100, () -> bcS.generateSignature(msg));
        System.out.printf("java lms-h10w4 sign/s bc-in-memory %.0f%n", count(800, () -> bcS.generateSignature(msg)));
        HSSSigner bcV = new HSSSigner();
        bcV.init(false, kp.getPublic());
        System.out.printf("java lms-h10w4 verify/s bc %.0f%n", rate(s, () -> check(bcV.verifySignature(msg, bcSig), "bc lms")));
    }

    static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }
}
