package io.trustbit.measure;

import io.trustbit.measure.internal.ByteReader;
import io.trustbit.measure.internal.LeWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The launch configuration blob the SLB measures into PCR 18 (docs/launch-protocol.md, "Launch
 * configuration blob"): magic "TBLC", u16 version, u16 N (1..16), N signers, u16 command-line length L
 * (0..1024), L bytes of printable ASCII. Nothing may follow; at most 4096 bytes. Version 1 (written
 * when every signer is Ed25519): each signer is a 32-byte Ed25519 public key, u32 minimum security
 * version, u32 reserved 0. Version 2 (written when a signer is HSS/LMS): each signer is u16 key type
 * (the manifest algorithm: 1 Ed25519, 2 HSS/LMS), u16 key length K (32 or 60), u32 minimum security
 * version, K bytes of raw public key.
 */
public record LaunchConfig(List<Signer> signers, String cmdline) {
    public static final int MAX_SIGNERS = 16;
    public static final int MAX_CMDLINE = 1024;
    public static final int MAX_SIZE = 4096;
    private static final byte[] MAGIC = "TBLC".getBytes(StandardCharsets.US_ASCII);

    /** A trusted signer and the lowest security version accepted from it. */
    public record Signer(SignerPublicKey key, long minSecurityVersion) {
        public Signer {
            if (minSecurityVersion < 0 || minSecurityVersion > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("minimum security version must be 0..4294967295");
            }
        }
    }

    public LaunchConfig {
        signers = List.copyOf(signers);
        if (signers.isEmpty() || signers.size() > MAX_SIGNERS) {
            throw new IllegalArgumentException("a launch configuration needs 1.." + MAX_SIGNERS + " signers, not "
                    + signers.size());
        }
        if (cmdline.length() > MAX_CMDLINE) {
            throw new IllegalArgumentException("command line longer than " + MAX_CMDLINE + " characters");
        }
        for (int i = 0; i < cmdline.length(); i++) {
            char c = cmdline.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                throw new IllegalArgumentException("command line character " + i + " is not printable ASCII");
            }
        }
    }

    public byte[] encode() {
        boolean v1 = signers.stream().allMatch(s -> s.key() instanceof Ed25519PublicKey);
        LeWriter w = new LeWriter(MAX_SIZE).bytes(MAGIC).u16(v1 ? 1 : 2).u16(signers.size());
        for (Signer s : signers) {
            byte[] raw = s.key().raw();
            if (v1) {
                w.bytes(raw).u32(s.minSecurityVersion()).u32(0);
            } else {
                w.u16(s.key().algorithm().id()).u16(raw.length).u32(s.minSecurityVersion()).bytes(raw);
            }
        }
        byte[] cl = cmdline.getBytes(StandardCharsets.US_ASCII);
        return w.u16(cl.length).bytes(cl).toByteArray();
    }

    public static LaunchConfig parse(byte[] blob) throws FormatException {
        ByteReader r = new ByteReader(blob).context("launch configuration: ");
        if (blob.length > MAX_SIZE) {
            throw r.fieldError("size", blob.length + " exceeds " + MAX_SIZE + " bytes");
        }
        r.expect(MAGIC, "magic");
        int version = r.u16("version");
        if (version != 1 && version != 2) {
            throw r.fieldError("version", version + " is neither 1 nor 2 (offset 0x4)");
        }
        int n = r.u16("number of signers");
        if (n < 1 || n > MAX_SIGNERS) {
            throw r.fieldError("number of signers", n + " outside 1.." + MAX_SIGNERS + " (offset 0x6)");
        }
        List<Signer> signers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (version == 1) {
                byte[] key = r.bytes(32, "signer[" + i + "].key");
                long minSv = r.u32("signer[" + i + "].minimum security version");
                r.zeros(4, "signer[" + i + "].reserved");
                signers.add(new Signer(Ed25519PublicKey.fromRaw(key), minSv));
                continue;
            }
            int at = r.position();
            String field = "signer[" + i + "]";
            int type = r.u16("signer[" + i + "].key type");
            int len = r.u16("signer[" + i + "].key length");
            long minSv = r.u32("signer[" + i + "].minimum security version");
            SignatureAlg alg = SignatureAlg.fromId(type).orElseThrow(() -> r.fieldError(field + ".key type",
                    type + " is neither 1 (Ed25519) nor 2 (HSS/LMS) (offset 0x" + Integer.toHexString(at) + ")"));
            int want = alg == SignatureAlg.ED25519 ? 32 : 60;
            if (len != want) {
                throw r.fieldError("signer[" + i + "].key length", len + " is not " + want + " for " + alg
                        + " (offset 0x" + Integer.toHexString(at + 2) + ")");
            }
            byte[] key = r.bytes(len, "signer[" + i + "].key");
            try {
                signers.add(new Signer(alg == SignatureAlg.ED25519 ? Ed25519PublicKey.fromRaw(key) : LmsPublicKey.fromRaw(key), minSv));
            } catch (IllegalArgumentException e) {
                throw r.fieldError("signer[" + i + "].key", e.getMessage() + " (offset 0x" + Integer.toHexString(at + 8) + ")");
            }
        }
        int len = r.length16("command line length", MAX_CMDLINE);
        int at = r.position();
        byte[] cl = r.bytes(len, "command line");
        for (int i = 0; i < cl.length; i++) {
            if (cl[i] < 0x20 || cl[i] > 0x7E) {
                throw r.fieldError("command line", "byte " + i + " is not printable ASCII (offset 0x"
                        + Integer.toHexString(at + i) + ")");
            }
        }
        r.requireEnd("launch configuration");
        return new LaunchConfig(signers, new String(cl, StandardCharsets.US_ASCII));
    }
}
