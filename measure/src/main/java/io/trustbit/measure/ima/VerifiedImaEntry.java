package io.trustbit.measure.ima;

/**
 * An IMA entry inside the part of a measurement list that replayed to a quoted PCR value. The template
 * hash covers the whole template data, so the file digest, the path and the signature are all vouched for
 * (as far as the kernel that wrote them is trusted), except in a violation: the kernel extends a violation
 * as all 0xFF whatever its template data, so only the fact of a violation at this position is covered and
 * its path is a hint.
 */
public final class VerifiedImaEntry {
    private final UntrustedImaEntry entry;

    VerifiedImaEntry(UntrustedImaEntry entry) {
        this.entry = entry;
    }

    public long index() {
        return entry.index();
    }

    public ImaTemplate template() {
        return entry.template();
    }

    public boolean isViolation() {
        return entry.isViolation();
    }

    public ImaHashAlgo fileDigestAlgo() {
        return entry.claimedFileDigestAlgo();
    }

    public byte[] fileDigest() {
        return entry.claimedFileDigest();
    }

    public String path() {
        return entry.claimedPath();
    }

    /** The logged security.ima signature of an ima-sig entry, empty if none. */
    public byte[] signature() {
        return entry.claimedSignature();
    }

    byte[] fileDigestRef() {
        return entry.fileDigestRef();
    }

    byte[] signatureRef() {
        return entry.signatureRef();
    }
}
