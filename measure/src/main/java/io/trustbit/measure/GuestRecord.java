package io.trustbit.measure;

import io.trustbit.measure.internal.ByteReader;
import io.trustbit.measure.internal.LeWriter;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The guest record the VMM measures into PCR 19 (docs/launch-protocol.md, "Guest record"): magic "TBGR",
 * u32 version, u32 decision (1 launched, 2 refused), u32 reason, SHA-256 of the image (the kernel of a
 * Linux guest), signer key id, u32 security version, 12 reserved zero bytes, 32-byte NUL-padded name:
 * 128 bytes, version 1. A Linux guest's record is version 2, 192 bytes: the SHA-256 of its initrd and of
 * its command line follow ({@code initrdSha256} and {@code cmdlineSha256} are null in version 1).
 */
public record GuestRecord(int decision, long reason, byte[] imageSha256, byte[] signerKeyId, long securityVersion,
        String name, byte[] initrdSha256, byte[] cmdlineSha256) {
    public static final int SIZE = 128;
    public static final int LINUX_SIZE = 192;
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
        if ((initrdSha256 == null) != (cmdlineSha256 == null)
                || (initrdSha256 != null && (initrdSha256.length != 32 || cmdlineSha256.length != 32))) {
            throw new IllegalArgumentException("a Linux record has both a 32-byte initrd and command-line SHA-256");
        }
        imageSha256 = imageSha256.clone();
        signerKeyId = signerKeyId.clone();
        initrdSha256 = initrdSha256 == null ? null : initrdSha256.clone();
        cmdlineSha256 = cmdlineSha256 == null ? null : cmdlineSha256.clone();
    }

    /** A version-1 record (a flat guest). */
    public GuestRecord(int decision, long reason, byte[] imageSha256, byte[] signerKeyId, long securityVersion,
            String name) {
        this(decision, reason, imageSha256, signerKeyId, securityVersion, name, null, null);
    }

    /** The record of a guest the VMM launched: version 2 for a Linux manifest, else version 1. */
    public static GuestRecord launched(String name, ImageManifest manifest) {
        ImageManifest.LinuxPart lx = manifest.linux();
        return new GuestRecord(LAUNCHED, 0, manifest.imageSha256(), manifest.signerKeyId(),
                manifest.securityVersion(), name, lx == null ? null : lx.initrdSha256(),
                lx == null ? null : HashAlg.SHA256.digest(lx.cmdline().getBytes(StandardCharsets.US_ASCII)));
    }

    public boolean isLinux() {
        return initrdSha256 != null;
    }

    /**
     * Parses a record from untrusted bytes (an event's data): exactly 128 bytes, magic, version 1, a known
     * decision, zero reserved bytes, a valid NUL-padded name. The message names the field and offset.
     */
    public static GuestRecord parse(byte[] data) throws FormatException {
        ByteReader r = new ByteReader(data).context("guest record: ");
        r.expect(new byte[] {'T', 'B', 'G', 'R'}, "magic");
        long version = r.u32("version");
        if (version != 1 && version != 2) {
            throw r.error("version", "is " + version + ", not 1 or 2 (Linux)");
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
        byte[] initrd = version == 2 ? r.bytes(32, "initrd SHA-256") : null;
        byte[] cmdline = version == 2 ? r.bytes(32, "command-line SHA-256") : null;
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
        return new GuestRecord((int) decision, reason, image, signer, securityVersion, name, initrd, cmdline);
    }

    /** Records are equal when their encodings are (the digests are arrays). */
    @Override
    public boolean equals(Object o) {
        return o instanceof GuestRecord g && java.util.Arrays.equals(encode(), g.encode());
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(encode());
    }

    public static boolean validName(String name) {
        return NAME.matcher(name).matches();
    }

    public byte[] encode() {
        byte[] n = new byte[32];
        byte[] ascii = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(ascii, 0, n, 0, ascii.length);
        LeWriter w = new LeWriter(isLinux() ? LINUX_SIZE : SIZE).bytes("TBGR".getBytes(StandardCharsets.US_ASCII))
                .u32(isLinux() ? 2 : 1).u32(decision).u32(reason).bytes(imageSha256).bytes(signerKeyId)
                .u32(securityVersion).zeros(12).bytes(n);
        if (isLinux()) {
            w.bytes(initrdSha256).bytes(cmdlineSha256);
        }
        return w.toByteArray();
    }
}
