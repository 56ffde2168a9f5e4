package io.trustbit.measure;

import java.util.Map;

/**
 * An event whose digest is part of a replay that reproduced PCR values given by the caller (normally
 * quoted by a TPM). Only the digest of {@link #verifiedBanks} is vouched for: the event type is not
 * covered by any digest, and the data is only bound to the digest where the digest is defined as the
 * hash of the data (check with {@link #dataMatchesDigest}).
 */
public final class VerifiedEvent {
    private final UntrustedEvent event;
    private final java.util.Set<HashAlg> verifiedBanks;

    VerifiedEvent(UntrustedEvent event, java.util.Set<HashAlg> verifiedBanks) {
        this.event = event;
        this.verifiedBanks = java.util.Set.copyOf(verifiedBanks);
    }

    public int index() {
        return event.index();
    }

    public int pcrIndex() {
        return event.pcrIndex();
    }

    /** The type the log claims; not covered by the digest. */
    public long claimedEventType() {
        return event.eventType();
    }

    /** The banks whose replayed value matched and in which this event has a digest. */
    public java.util.Set<HashAlg> verifiedBanks() {
        return verifiedBanks;
    }

    /** The verified digests (copies). */
    public Map<HashAlg, byte[]> digests() {
        Map<HashAlg, byte[]> d = event.digests();
        d.keySet().retainAll(verifiedBanks);
        return d;
    }

    /** The data the log carries for this event (a copy); see {@link #dataMatchesDigest}. */
    public byte[] data() {
        return event.data();
    }

    /** True if, in every verified bank, the digest is the hash of the data (as in our DRTM events 3–5). */
    public boolean dataMatchesDigest() {
        for (HashAlg alg : verifiedBanks) {
            if (!java.security.MessageDigest.isEqual(alg.digest(event.dataRef()), event.digestRef(alg))) {
                return false;
            }
        }
        return !verifiedBanks.isEmpty();
    }
}
