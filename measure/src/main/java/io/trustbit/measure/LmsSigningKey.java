package io.trustbit.measure;

import io.trustbit.measure.internal.ByteReader;
import io.trustbit.measure.internal.LeWriter;
import io.trustbit.measure.internal.Lms;
import io.trustbit.measure.internal.Lms.LmsType;
import io.trustbit.measure.internal.Lms.OtsType;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * A stateful HSS/LMS private key (one level) in a key file that also holds the next unused leaf
 * (docs/formats.md, "LMS signing keys"). {@link #sign} reserves a leaf by writing the advanced state
 * durably (temporary file, fsync, rename, fsync of the directory) under an exclusive lock on
 * {@code FILE.lock}, and only then computes the signature: a signer killed at any point may lose a
 * leaf but never uses one twice. {@link #toString} never shows key material.
 */
public final class LmsSigningKey implements ManifestSigner {
    /** "TBLS", u16 version 1, u16 0, u32 LMS type, u32 LM-OTS type, I[16], SEED[32], u32 next leaf. */
    public static final int FILE_SIZE = 68;
    private static final byte[] MAGIC = "TBLS".getBytes(StandardCharsets.US_ASCII);

    private final Path file;
    private final LmsType lms;
    private final OtsType ots;
    private final byte[] id;
    private final byte[] seed;
    private final SecureRandom random = new SecureRandom();
    private Lms.Tree tree;

    private LmsSigningKey(Path file, LmsType lms, OtsType ots, byte[] id, byte[] seed) {
        this.file = file;
        this.lms = lms;
        this.ots = ots;
        this.id = id;
        this.seed = seed;
    }

    /** The parameter sets {@code key new --type lms} offers: W1 signatures exceed the manifest's 8192 bytes. */
    public static boolean fitsManifest(LmsType lms, OtsType ots) {
        return Lms.hssSignatureSize(lms, ots) <= ImageManifest.MAX_SIGNATURE_LENGTH;
    }

    /**
     * Creates a key of LMS_SHA256_M32_H{height} / LMOTS_SHA256_N32_W{w}; {@code height} 5, 10, 15, 20 or
     * 25, {@code w} 2, 4 or 8 (IllegalArgumentException otherwise).
     */
    public static LmsSigningKey generate(Path file, int height, int w) throws IOException {
        LmsType lms = java.util.Arrays.stream(LmsType.values()).filter(t -> t.height() == height).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("LMS tree height must be 5, 10, 15, 20 or 25, not " + height));
        OtsType ots = java.util.Arrays.stream(OtsType.values()).filter(t -> t.w() == w && fitsManifest(lms, t))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("LM-OTS Winternitz parameter must be 2, 4 or 8, not " + w));
        return generate(file, lms, ots);
    }

    /** Creates a new key in {@code file} (mode 0600, next leaf 0) and computes its public key. */
    public static LmsSigningKey generate(Path file, LmsType lms, OtsType ots) throws IOException {
        if (!fitsManifest(lms, ots)) {
            throw new IllegalArgumentException("LMOTS_SHA256_N32_" + ots + " signatures exceed the manifest's "
                    + ImageManifest.MAX_SIGNATURE_LENGTH + "-byte limit");
        }
        SecureRandom r = new SecureRandom();
        byte[] id = new byte[16];
        byte[] seed = new byte[Lms.N];
        r.nextBytes(id);
        r.nextBytes(seed);
        LmsSigningKey k = new LmsSigningKey(file, lms, ots, id, seed);
        k.tree();
        AtomicFiles.writeSecret(file, k.encode(0));
        return k;
    }

    /** Opens a key file; the Merkle tree is computed on first use. */
    public static LmsSigningKey open(Path file) throws IOException, FormatException {
        Parsed p = parse(file, Files.readAllBytes(file));
        return new LmsSigningKey(file, p.lms, p.ots, p.id, p.seed);
    }

    /** True if the file starts with the LMS key file magic. */
    public static boolean isLmsKeyFile(byte[] head) {
        return head.length >= 4 && java.util.Arrays.equals(head, 0, 4, MAGIC, 0, 4);
    }

    private record Parsed(LmsType lms, OtsType ots, byte[] id, byte[] seed, long next) {}

    private static Parsed parse(Path file, byte[] b) throws FormatException {
        ByteReader r = new ByteReader(b).context(file + ": ");
        r.expect(MAGIC, "magic");
        int version = r.u16("version");
        if (version != 1) {
            throw r.fieldError("version", version + " is not 1 (offset 0x4)");
        }
        r.zeros(2, "reserved");
        long lt = r.u32("LMS type");
        long ot = r.u32("LM-OTS type");
        LmsType lms = LmsType.fromId((int) lt).orElseThrow(() -> r.fieldError("LMS type", lt + " is unknown (offset 0x8)"));
        OtsType ots = OtsType.fromId((int) ot).orElseThrow(() -> r.fieldError("LM-OTS type", ot + " is unknown (offset 0xc)"));
        byte[] id = r.bytes(16, "I");
        byte[] seed = r.bytes(Lms.N, "SEED");
        long next = r.u32("next leaf");
        r.requireEnd("LMS key file");
        if (next > 1L << lms.height()) {
            throw r.fieldError("next leaf", next + " beyond the " + (1L << lms.height()) + " leaves (offset 0x40)");
        }
        return new Parsed(lms, ots, id, seed, next);
    }

    private byte[] encode(long next) {
        return new LeWriter(FILE_SIZE).bytes(MAGIC).u16(1).u16(0).u32(lms.id()).u32(ots.id()).bytes(id).bytes(seed)
                .u32(next).toByteArray();
    }

    private synchronized Lms.Tree tree() {
        if (tree == null) {
            tree = new Lms.Tree(lms, ots, id, seed);
        }
        return tree;
    }

    @Override
    public LmsPublicKey publicKey() {
        return LmsPublicKey.fromRaw(tree().hssPublicKey());
    }

    @Override
    public int signatureLength() {
        return Lms.hssSignatureSize(lms, ots);
    }

    /** Leaves not yet used, as recorded in the key file now. */
    public long remaining() throws IOException {
        try {
            return (1L << lms.height()) - parse(file, Files.readAllBytes(file)).next;
        } catch (FormatException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public byte[] sign(byte[] message) {
        Lms.Tree t = tree();
        int q;
        try {
            q = reserveLeaf();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        byte[] c = new byte[Lms.N];
        random.nextBytes(c);
        return t.sign(q, message, c);
    }

    /** Reads the next leaf under the lock, writes next + 1 durably, returns the reserved leaf. */
    private int reserveLeaf() throws IOException {
        Path lock = file.resolveSibling(file.getFileName() + ".lock");
        try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock l = ch.lock()) {
            Parsed p;
            try {
                p = parse(file, Files.readAllBytes(file));
            } catch (FormatException e) {
                throw new IOException(e.getMessage(), e);
            }
            if (p.lms != lms || p.ots != ots || !MessageDigest.isEqual(p.id, id) || !MessageDigest.isEqual(p.seed, seed)) {
                throw new IOException(file + ": the key file now holds a different key");
            }
            if (p.next >= 1L << lms.height()) {
                throw new IOException(file + ": all " + (1L << lms.height()) + " one-time keys are used");
            }
            AtomicFiles.writeSecret(file, encode(p.next + 1));
            return (int) p.next;
        }
    }

    @Override
    public String toString() {
        return "LmsSigningKey[" + lms + "/" + ots + "]";
    }
}
