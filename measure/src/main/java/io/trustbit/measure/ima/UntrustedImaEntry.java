package io.trustbit.measure.ima;

import io.trustbit.measure.HashAlg;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * One entry of an IMA measurement list as parsed, before replay: nothing in it is trusted. Only
 * {@link UntrustedImaLog#verifyAgainst} turns entries into {@link VerifiedImaEntry}s.
 */
public final class UntrustedImaEntry {
    private final long index;
    private final int offset;
    private final int pcrIndex;
    private final byte[] templateDigest;
    private final ImaTemplate template;
    private final byte[] templateData;
    private final ImaHashAlgo fileDigestAlgo;
    private final byte[] fileDigest;
    private final String path;
    private final byte[] signature;

    UntrustedImaEntry(long index, int offset, int pcrIndex, byte[] templateDigest, ImaTemplate template,
            byte[] templateData, ImaHashAlgo fileDigestAlgo, byte[] fileDigest, String path, byte[] signature) {
        this.index = index;
        this.offset = offset;
        this.pcrIndex = pcrIndex;
        this.templateDigest = templateDigest;
        this.template = template;
        this.templateData = templateData;
        this.fileDigestAlgo = fileDigestAlgo;
        this.fileDigest = fileDigest;
        this.path = path;
        this.signature = signature;
    }

    /** Position in the whole measurement list since boot (entry 0 is normally boot_aggregate). */
    public long index() {
        return index;
    }

    /** Byte offset of the entry in the bytes that were parsed. */
    public int offset() {
        return offset;
    }

    public int pcrIndex() {
        return pcrIndex;
    }

    public ImaTemplate template() {
        return template;
    }

    /** The claimed SHA-1 template hash; all zeros marks a violation. */
    public byte[] claimedTemplateDigest() {
        return templateDigest.clone();
    }

    /** A violation (open-writers or ToMToU): logged with a zero template hash, extended as all 0xFF. */
    public boolean isViolation() {
        for (byte b : templateDigest) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    public ImaHashAlgo claimedFileDigestAlgo() {
        return fileDigestAlgo;
    }

    public byte[] claimedFileDigest() {
        return fileDigest.clone();
    }

    /** The file name hint; bytes that are not UTF-8 are written as {@code \xNN} (and a backslash as {@code \\}). */
    public String claimedPath() {
        return path;
    }

    /** The {@code sig} field of an ima-sig entry (security.ima as logged), empty if none. */
    public byte[] claimedSignature() {
        return signature.clone();
    }

    /** The template data (a copy): the bytes every template hash is computed over. */
    public byte[] templateData() {
        return templateData.clone();
    }

    /**
     * The value this entry extends into PCR 10 of {@code bank}: the bank's hash of the template data, or all
     * 0xFF for a violation. {@code hasher} is an idle digest of that bank.
     */
    byte[] extendValue(HashAlg bank, MessageDigest hasher) {
        if (isViolation()) {
            byte[] ff = new byte[bank.size()];
            Arrays.fill(ff, (byte) 0xFF);
            return ff;
        }
        return bank == HashAlg.SHA1 ? templateDigest : hasher.digest(templateData);
    }

    byte[] fileDigestRef() {
        return fileDigest;
    }

    byte[] signatureRef() {
        return signature;
    }
}
