package io.trustbit.measure;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * One event as parsed from a log, before any replay: nothing in it is trusted. Only
 * {@link UntrustedEventLog#verifyAgainst} turns events into {@link VerifiedEvent}s.
 */
public final class UntrustedEvent {
    private final int index;
    private final int offset;
    private final int pcrIndex;
    private final long eventType;
    private final Map<HashAlg, byte[]> digests;
    private final byte[] data;

    /**
     * @param index position in the log (the Spec ID header of a crypto-agile log is event 0)
     * @param offset byte offset of the event in the log
     */
    public UntrustedEvent(int index, int offset, int pcrIndex, long eventType, Map<HashAlg, byte[]> digests, byte[] data) {
        this.index = index;
        this.offset = offset;
        this.pcrIndex = pcrIndex;
        this.eventType = eventType;
        EnumMap<HashAlg, byte[]> d = new EnumMap<>(HashAlg.class);
        digests.forEach((k, v) -> d.put(k, v.clone()));
        this.digests = Collections.unmodifiableMap(d);
        this.data = data.clone();
    }

    public int index() {
        return index;
    }

    public int offset() {
        return offset;
    }

    public int pcrIndex() {
        return pcrIndex;
    }

    /** The claimed type; not covered by any digest. */
    public long eventType() {
        return eventType;
    }

    /** The claimed digests by bank (copies). */
    public Map<HashAlg, byte[]> digests() {
        EnumMap<HashAlg, byte[]> d = new EnumMap<>(HashAlg.class);
        digests.forEach((k, v) -> d.put(k, v.clone()));
        return d;
    }

    /** The digest in one bank without copying, for replay inside this package. */
    byte[] digestRef(HashAlg alg) {
        return digests.get(alg);
    }

    Map<HashAlg, byte[]> digestsRef() {
        return digests;
    }

    /** The event data (a copy). */
    public byte[] data() {
        return data.clone();
    }

    public int dataLength() {
        return data.length;
    }

    byte[] dataRef() {
        return data;
    }
}
