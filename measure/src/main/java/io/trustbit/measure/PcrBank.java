package io.trustbit.measure;

import java.security.DigestException;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Replay state of one PCR bank: 24 registers of one hash algorithm, and which of them saw an event.
 * Mutable, for one replay; {@link #snapshot} gives the immutable result.
 */
public final class PcrBank {
    /** PC Client TPMs have 24 PCRs (TCG PC Client Platform TPM Profile 1.05, §4.6). */
    public static final int PCR_COUNT = 24;

    private final HashAlg alg;
    private final MessageDigest md;
    private final byte[][] values = new byte[PCR_COUNT][];
    private int used;

    public PcrBank(HashAlg alg) {
        this.alg = alg;
        this.md = alg.newDigest();
        for (int i = 0; i < PCR_COUNT; i++) {
            values[i] = new byte[alg.size()];
        }
    }

    public HashAlg alg() {
        return alg;
    }

    /**
     * Sets the value a PCR starts from before any extend: PCR 0 starts at the startup locality in its
     * last byte (TCG PC Client PFP 1.05, §3.3.2, StartupLocality).
     */
    public void startAtLocality(int pcr, int locality) {
        checkIndex(pcr);
        if (used(pcr)) {
            throw new IllegalStateException("PCR " + pcr + " already extended");
        }
        Arrays.fill(values[pcr], (byte) 0);
        values[pcr][alg.size() - 1] = (byte) locality;
    }

    /** PCR[pcr] := H(PCR[pcr] || digest). */
    public void extend(int pcr, byte[] digest) {
        checkIndex(pcr);
        if (digest.length != alg.size()) {
            throw new IllegalArgumentException(alg.bankName() + " digest must have " + alg.size() + " bytes");
        }
        md.update(values[pcr]);
        md.update(digest);
        try {
            md.digest(values[pcr], 0, alg.size());
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
        markUsed(pcr);
    }

    /** Records that the log has an event for this PCR in this bank (as tpm2_eventlog reports it). */
    public void markUsed(int pcr) {
        checkIndex(pcr);
        used |= 1 << pcr;
    }

    public boolean used(int pcr) {
        checkIndex(pcr);
        return (used & (1 << pcr)) != 0;
    }

    public boolean anyUsed() {
        return used != 0;
    }

    /** A copy of the current value. */
    public byte[] value(int pcr) {
        checkIndex(pcr);
        return values[pcr].clone();
    }

    /** Adds every used PCR of this bank to {@code builder}. */
    public void snapshot(PcrValues.Builder builder) {
        for (int i = 0; i < PCR_COUNT; i++) {
            if (used(i)) {
                builder.put(alg, i, values[i]);
            }
        }
    }

    private static void checkIndex(int pcr) {
        if (pcr < 0 || pcr >= PCR_COUNT) {
            throw new IllegalArgumentException("PCR index " + pcr + " outside 0.." + (PCR_COUNT - 1));
        }
    }
}
