package io.trustbit.measure.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * Leighton-Micali hash-based signatures, RFC 8554: LM-OTS (§4), LMS (§5) and HSS (§6), for the SHA-256
 * parameter sets of NIST SP 800-208 §4.2-4.3 (n = m = 32). Wire integers are big-endian (u32str).
 * Private keys follow RFC 8554 Appendix A: x_q[i] = H(I || u32str(q) || u16str(i) || u8str(0xff) || SEED).
 */
public final class Lms {
    public static final int N = 32;
    /** u32 L, u32 LMS type, u32 LM-OTS type, I[16], T[1][32] (RFC 8554 §6.1). */
    public static final int HSS_PUBLIC_KEY_SIZE = 60;
    public static final int LMS_PUBLIC_KEY_SIZE = 56;
    public static final int MAX_LEVELS = 8;
    private static final int D_PBLC = 0x8080;
    private static final int D_MESG = 0x8181;
    private static final int D_LEAF = 0x8282;
    private static final int D_INTR = 0x8383;

    private Lms() {}

    /** RFC 8554 §5.1 Table 2, SP 800-208 §4.2: LMS_SHA256_M32_H*. */
    public enum LmsType {
        H5(5, 5), H10(6, 10), H15(7, 15), H20(8, 20), H25(9, 25);

        private final int id;
        private final int height;

        LmsType(int id, int height) {
            this.id = id;
            this.height = height;
        }

        public int id() {
            return id;
        }

        public int height() {
            return height;
        }

        public static Optional<LmsType> fromId(int id) {
            for (LmsType t : values()) {
                if (t.id == id) {
                    return Optional.of(t);
                }
            }
            return Optional.empty();
        }
    }

    /** RFC 8554 §4.1 Table 1, SP 800-208 §4.3: LMOTS_SHA256_N32_W*. */
    public enum OtsType {
        W1(1, 1, 265, 7), W2(2, 2, 133, 6), W4(3, 4, 67, 4), W8(4, 8, 34, 0);

        private final int id;
        private final int w;
        private final int p;
        private final int ls;

        OtsType(int id, int w, int p, int ls) {
            this.id = id;
            this.w = w;
            this.p = p;
            this.ls = ls;
        }

        public int id() {
            return id;
        }

        public int w() {
            return w;
        }

        /** Bytes of an LM-OTS signature (§4.5): type, C, p chains. */
        int signatureSize() {
            return 4 + N + p * N;
        }

        public static Optional<OtsType> fromId(int id) {
            for (OtsType t : values()) {
                if (t.id == id) {
                    return Optional.of(t);
                }
            }
            return Optional.empty();
        }
    }

    /** Bytes of an HSS signature with one level (L = 1): u32 Nspk = 0, then the LMS signature (§5.4). */
    public static int hssSignatureSize(LmsType lms, OtsType ots) {
        return 4 + 4 + ots.signatureSize() + 4 + lms.height() * N;
    }

    /** The leaf index q of a one-level HSS signature (bytes 4..7), or -1 if it is too short. */
    public static int leafOf(byte[] hssSignature) {
        return hssSignature.length < 8 ? -1 : u32(hssSignature, 4);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the Java runtime", e);
        }
    }

    static int u32(byte[] b, int off) {
        return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
    }

    static void putU32(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    private static void putU16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    /** coef(S, i, w), §3.1.3. */
    private static int coef(byte[] s, int i, int w) {
        return ((s[i * w / 8] & 0xff) >>> (8 - (w * (i % (8 / w)) + w))) & ((1 << w) - 1);
    }

    /** Q || Cksm(Q) (§4.4) for Q = H(I || u32str(q) || u16str(D_MESG) || C || message). */
    private static byte[] digits(MessageDigest h, byte[] id, int q, byte[] c, byte[] msg, int msgOff, int msgLen,
            OtsType t) {
        byte[] hdr = new byte[22];
        System.arraycopy(id, 0, hdr, 0, 16);
        putU32(hdr, 16, q);
        putU16(hdr, 20, D_MESG);
        h.update(hdr);
        h.update(c);
        h.update(msg, msgOff, msgLen);
        byte[] qc = new byte[N + 2];
        System.arraycopy(h.digest(), 0, qc, 0, N);
        int top = (1 << t.w) - 1;
        int sum = 0;
        for (int i = 0; i < N * 8 / t.w; i++) {
            sum += top - coef(qc, i, t.w);
        }
        putU16(qc, N, sum << t.ls);
        return qc;
    }

    /** Applies the chain function (§4.3) to tmp in place for steps from..to-1 of chain i. */
    private static void chain(MessageDigest h, byte[] id, int q, int i, int from, int to, byte[] tmp) {
        byte[] hdr = new byte[23];
        System.arraycopy(id, 0, hdr, 0, 16);
        putU32(hdr, 16, q);
        putU16(hdr, 20, i);
        for (int j = from; j < to; j++) {
            hdr[22] = (byte) j;
            h.update(hdr);
            h.update(tmp);
            try {
                h.digest(tmp, 0, N);
            } catch (java.security.DigestException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static byte[] nodeHash(MessageDigest h, byte[] id, int r, int d, byte[] a, byte[] b) {
        byte[] hdr = new byte[22];
        System.arraycopy(id, 0, hdr, 0, 16);
        putU32(hdr, 16, r);
        putU16(hdr, 20, d);
        h.update(hdr);
        h.update(a);
        if (b != null) {
            h.update(b);
        }
        return h.digest();
    }

    // ---- verification ----

    /**
     * True only if {@code sig} is a valid HSS signature (§6.3) of {@code msg} under the HSS public key
     * {@code pub}; every length is checked, unknown parameter sets and trailing bytes are rejected.
     */
    public static boolean hssVerify(byte[] pub, byte[] msg, byte[] sig) {
        if (pub.length != HSS_PUBLIC_KEY_SIZE || sig.length < 4) {
            return false;
        }
        int levels = u32(pub, 0);
        if (levels < 1 || levels > MAX_LEVELS || u32(sig, 0) != levels - 1) {
            return false;
        }
        MessageDigest h = sha256();
        byte[] key = java.util.Arrays.copyOfRange(pub, 4, HSS_PUBLIC_KEY_SIZE);
        int off = 4;
        for (int level = 0; level < levels; level++) {
            int n = lmsSignatureSize(sig, off);
            if (n < 0) {
                return false;
            }
            int s = off;
            off += n;
            if (level == levels - 1) {
                return off == sig.length && lmsVerify(h, key, msg, 0, msg.length, sig, s, n);
            }
            if (sig.length - off < LMS_PUBLIC_KEY_SIZE || !lmsVerify(h, key, sig, off, LMS_PUBLIC_KEY_SIZE, sig, s, n)) {
                return false;
            }
            key = java.util.Arrays.copyOfRange(sig, off, off + LMS_PUBLIC_KEY_SIZE);
            off += LMS_PUBLIC_KEY_SIZE;
        }
        return false;
    }

    /** Size of the LMS signature at sig[off...], or -1 when its types are unknown or it is truncated. */
    private static int lmsSignatureSize(byte[] sig, int off) {
        if (sig.length - off < 8) {
            return -1;
        }
        Optional<OtsType> ots = OtsType.fromId(u32(sig, off + 4));
        if (ots.isEmpty() || sig.length - off - 8 < ots.get().signatureSize()) {
            return -1;
        }
        Optional<LmsType> lms = LmsType.fromId(u32(sig, off + 4 + ots.get().signatureSize()));
        int size = 8 + ots.get().signatureSize() + lms.map(l -> l.height() * N).orElse(0);
        return lms.isEmpty() || sig.length - off < size ? -1 : size;
    }

    /** Algorithm 6a (§5.4.2) on the 56-byte LMS public key. */
    private static boolean lmsVerify(MessageDigest h, byte[] key, byte[] msg, int msgOff, int msgLen, byte[] sig,
            int off, int len) {
        Optional<LmsType> lt = LmsType.fromId(u32(key, 0));
        Optional<OtsType> ot = OtsType.fromId(u32(key, 4));
        if (lt.isEmpty() || ot.isEmpty()) {
            return false;
        }
        LmsType lms = lt.get();
        OtsType ots = ot.get();
        int q = u32(sig, off);
        if (len != 8 + ots.signatureSize() + lms.height() * N || u32(sig, off + 4) != ots.id
                || u32(sig, off + 4 + ots.signatureSize()) != lms.id || q < 0 || q >= 1 << lms.height()) {
            return false;
        }
        byte[] id = java.util.Arrays.copyOfRange(key, 8, 24);
        byte[] c = java.util.Arrays.copyOfRange(sig, off + 8, off + 8 + N);
        byte[] qc = digits(h, id, q, c, msg, msgOff, msgLen, ots);
        byte[] hdr = new byte[22];
        System.arraycopy(id, 0, hdr, 0, 16);
        putU32(hdr, 16, q);
        putU16(hdr, 20, D_PBLC);
        MessageDigest k = sha256();
        k.update(hdr);
        int top = (1 << ots.w) - 1;
        for (int i = 0; i < ots.p; i++) {
            int y = off + 8 + N + i * N;
            byte[] tmp = java.util.Arrays.copyOfRange(sig, y, y + N);
            chain(h, id, q, i, coef(qc, i, ots.w), top, tmp);
            k.update(tmp);
        }
        int r = (1 << lms.height()) + q;
        byte[] node = nodeHash(h, id, r, D_LEAF, k.digest(), null);
        int path = off + 8 + ots.signatureSize();
        for (int i = 0; r > 1; i++, r >>>= 1) {
            byte[] sib = java.util.Arrays.copyOfRange(sig, path + i * N, path + (i + 1) * N);
            node = (r & 1) == 1 ? nodeHash(h, id, r >>> 1, D_INTR, sib, node) : nodeHash(h, id, r >>> 1, D_INTR, node, sib);
        }
        return MessageDigest.isEqual(node, java.util.Arrays.copyOfRange(key, 24, 56));
    }

    // ---- signing ----

    /** The private side of one LMS tree (HSS with L = 1): the whole Merkle tree, computed once. */
    public static final class Tree {
        private final LmsType lms;
        private final OtsType ots;
        private final byte[] id;
        private final byte[] seed;
        private final byte[][] nodes;

        /** Computes all 2^h LM-OTS public keys and the tree above them (2^h · p · 2^w hashes). */
        public Tree(LmsType lms, OtsType ots, byte[] id, byte[] seed) {
            if (id.length != 16 || seed.length != N) {
                throw new IllegalArgumentException("LMS needs a 16-byte I and a 32-byte SEED");
            }
            this.lms = lms;
            this.ots = ots;
            this.id = id.clone();
            this.seed = seed.clone();
            int leaves = 1 << lms.height();
            this.nodes = new byte[2 * leaves][];
            MessageDigest h = sha256();
            for (int q = 0; q < leaves; q++) {
                nodes[leaves + q] = nodeHash(h, this.id, leaves + q, D_LEAF, otsPublicKey(h, q), null);
            }
            for (int r = leaves - 1; r >= 1; r--) {
                nodes[r] = nodeHash(h, this.id, r, D_INTR, nodes[2 * r], nodes[2 * r + 1]);
            }
        }

        public int leaves() {
            return 1 << lms.height();
        }

        /** The HSS public key (L = 1), 60 bytes. */
        public byte[] hssPublicKey() {
            byte[] pub = new byte[HSS_PUBLIC_KEY_SIZE];
            putU32(pub, 0, 1);
            putU32(pub, 4, lms.id);
            putU32(pub, 8, ots.id);
            System.arraycopy(id, 0, pub, 12, 16);
            System.arraycopy(nodes[1], 0, pub, 28, N);
            return pub;
        }

        private byte[] secret(MessageDigest h, int q, int i) {
            byte[] hdr = new byte[23];
            System.arraycopy(id, 0, hdr, 0, 16);
            putU32(hdr, 16, q);
            putU16(hdr, 20, i);
            hdr[22] = (byte) 0xff;
            h.update(hdr);
            h.update(seed);
            return h.digest();
        }

        private byte[] otsPublicKey(MessageDigest h, int q) {
            byte[] hdr = new byte[22];
            System.arraycopy(id, 0, hdr, 0, 16);
            putU32(hdr, 16, q);
            putU16(hdr, 20, D_PBLC);
            MessageDigest k = sha256();
            k.update(hdr);
            for (int i = 0; i < ots.p; i++) {
                byte[] tmp = secret(h, q, i);
                chain(h, id, q, i, 0, (1 << ots.w) - 1, tmp);
                k.update(tmp);
            }
            return k.digest();
        }

        /**
         * The HSS signature (L = 1) of {@code msg} with leaf {@code q}, C from {@code randomizer}. The
         * caller must have made sure, durably, that leaf q is never used again.
         */
        public byte[] sign(int q, byte[] msg, byte[] randomizer) {
            if (q < 0 || q >= leaves()) {
                throw new IllegalArgumentException("leaf " + q + " outside 0.." + (leaves() - 1));
            }
            MessageDigest h = sha256();
            byte[] out = new byte[hssSignatureSize(lms, ots)];
            putU32(out, 0, 0);
            putU32(out, 4, q);
            putU32(out, 8, ots.id);
            System.arraycopy(randomizer, 0, out, 12, N);
            byte[] qc = digits(h, id, q, randomizer, msg, 0, msg.length, ots);
            for (int i = 0; i < ots.p; i++) {
                byte[] tmp = secret(h, q, i);
                chain(h, id, q, i, 0, coef(qc, i, ots.w), tmp);
                System.arraycopy(tmp, 0, out, 12 + N + i * N, N);
            }
            int at = 12 + N + ots.p * N;
            putU32(out, at, lms.id);
            at += 4;
            for (int r = leaves() + q; r > 1; r >>>= 1, at += N) {
                System.arraycopy(nodes[r ^ 1], 0, out, at, N);
            }
            return out;
        }
    }
}
