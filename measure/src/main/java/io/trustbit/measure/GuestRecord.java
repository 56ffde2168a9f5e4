package io.trustbit.measure;

import io.trustbit.measure.internal.ByteReader;
import io.trustbit.measure.internal.LeWriter;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The 128-byte guest record the VMM measures into PCR 19 (docs/launch-protocol.md, "Guest record"):
 * magic "TBGR", u32 version 1, u32 decision (1 launched, 2 refused), u32 reason, SHA-256 of the image,
 * signer key id, u32 security version, 12 reserved zero bytes, 32-byte NUL-padded name.
 */
public record GuestRecord(int decision, long reason, byte[] imageSha256, byte[] signerKeyId, long securityVersion,
        String name) {
    public static final int SIZE = 128;
    public static final int LAUNCHED = 1;
    public static final int REFUSED = 2;
    private static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1,31}");

    public GuestRecord {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("guest name must match [a-z0-9_-]{1,31}: " + name);
        }
        if (imageSha256.length != 32 || signerKeyId.length != 32) {
            throw new IllegalArgumentException("image SHA-256 and signer key id have 32 bytes");
        }
        imageSha256 = imageSha256.clone();
        signerKeyId = signerKeyId.clone();
    }

    /** The record of a guest the VMM launched. */
    public static GuestRecord launched(String name, ImageManifest manifest) {
        return new GuestRecord(LAUNCHED, 0, manifest.imageSha256(), manifest.signerKeyId(),
                manifest.securityVersion(), name);
    }

    /**
     * Parses a record from untrusted bytes (an event's data): exactly 128 bytes, magic, version 1, a known
     * decision, zero reserved bytes, a valid NUL-padded name. The message names the field and offset.
     */
    public static GuestRecord parse(byte[] data) throws FormatException {
        ByteReader r = new ByteReader(data).context("guest record: ");
        r.expect(new byte[] {'T', 'B', 'G', 'R'}, "magic");
        if (r.u32("version") != 1) {
            throw r.error("version", "is not 1");
        }
        long decision = r.u32("decision");
        if (decision != LAUNCHED && decision != REFUSED) {
            throw r.error("decision", "is " + decision + ", not 1 (launched) or 2 (refused)");
        }
        long reason = r.u32("reason");
        byte[] image = r.bytes(32, "image SHA-256");
        byte[] signer = r.bytes(32, "signer key id");
        long securityVersion = r.u32("security version");
        r.zeros(12, "reserved");
        byte[] rawName = r.bytes(32, "name");
        r.requireEnd("guest record");
        int end = 0;
        while (end < rawName.length && rawName[end] != 0) {
            end++;
        }
        for (int i = end; i < rawName.length; i++) {
            if (rawName[i] != 0) {
                throw new FormatException("guest record: name padding at offset " + (96 + i) + " is not NUL");
            }
        }
        String name = new String(rawName, 0, end, StandardCharsets.US_ASCII);
        if (!validName(name)) {
            throw new FormatException("guest record: name at offset 96 is not [a-z0-9_-]{1,31}");
        }
        return new GuestRecord((int) decision, reason, image, signer, securityVersion, name);
    }

    public static boolean validName(String name) {
        return NAME.matcher(name).matches();
    }

    public byte[] encode() {
        byte[] n = new byte[32];
        byte[] ascii = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(ascii, 0, n, 0, ascii.length);
        return new LeWriter(SIZE).bytes("TBGR".getBytes(StandardCharsets.US_ASCII)).u32(1).u32(decision).u32(reason)
                .bytes(imageSha256).bytes(signerKeyId).u32(securityVersion).zeros(12).bytes(n).toByteArray();
    }
}
