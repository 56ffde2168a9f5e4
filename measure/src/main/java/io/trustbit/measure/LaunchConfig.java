package io.trustbit.measure;

import io.trustbit.measure.internal.ByteReader;
import io.trustbit.measure.internal.LeWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The launch configuration blob the SLB measures into PCR 18 (docs/launch-protocol.md, "Launch
 * configuration blob"): magic "TBLC", u16 version 1, u16 N (1..16), N × (32-byte Ed25519 public key,
 * u32 minimum security version, u32 reserved 0), u16 command-line length L (0..1024), L bytes of
 * printable ASCII. Nothing may follow; at most 4096 bytes.
 */
public record LaunchConfig(List<Signer> signers, String cmdline) {
    public static final int MAX_SIGNERS = 16;
    public static final int MAX_CMDLINE = 1024;
    public static final int MAX_SIZE = 4096;
    private static final byte[] MAGIC = "TBLC".getBytes(StandardCharsets.US_ASCII);

    /** A trusted signer and the lowest security version accepted from it. */
    public record Signer(Ed25519PublicKey key, long minSecurityVersion) {
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
        LeWriter w = new LeWriter(MAX_SIZE).bytes(MAGIC).u16(1).u16(signers.size());
        for (Signer s : signers) {
            w.bytes(s.key().raw()).u32(s.minSecurityVersion()).u32(0);
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
        if (version != 1) {
            throw r.fieldError("version", version + " is not supported (offset 0x4)");
        }
        int n = r.u16("number of signers");
        if (n < 1 || n > MAX_SIGNERS) {
            throw r.fieldError("number of signers", n + " outside 1.." + MAX_SIGNERS + " (offset 0x6)");
        }
        List<Signer> signers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] key = r.bytes(32, "signer[" + i + "].key");
            long minSv = r.u32("signer[" + i + "].minimum security version");
            r.zeros(4, "signer[" + i + "].reserved");
            signers.add(new Signer(Ed25519PublicKey.fromRaw(key), minSv));
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
