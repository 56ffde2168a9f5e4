package io.trustbit.measure;

import java.util.EnumMap;
import java.util.Map;

/**
 * One event as parsed from a log, before any replay: nothing in it is trusted. Only
 * {@link UntrustedEventLog#verifyAgainst} turns events into {@link VerifiedEvent}s.
 */
public final class UntrustedEvent {
    private static final HashAlg[] ALGS = HashAlg.values();

    private final int index;
    private final int offset;
    private final int pcrIndex;
    private final long eventType;
    private final byte[][] digests; // by HashAlg ordinal, null where the event has no digest
    private final byte[] data;

    /**
     * @param index position in the log (the Spec ID header of a crypto-agile log is event 0)
     * @param offset byte offset of the event in the log
     */
    public UntrustedEvent(int index, int offset, int pcrIndex, long eventType, Map<HashAlg, byte[]> digests, byte[] data) {
        this(index, offset, pcrIndex, eventType, copy(digests), data.clone());
    }

    /** Takes ownership of the arrays: for the parser. */
    UntrustedEvent(int index, int offset, int pcrIndex, long eventType, byte[][] digestsByOrdinal, byte[] data) {
        this.index = index;
        this.offset = offset;
        this.pcrIndex = pcrIndex;
        this.eventType = eventType;
        this.digests = digestsByOrdinal;
        this.data = data;
    }

    private static byte[][] copy(Map<HashAlg, byte[]> digests) {
        byte[][] d = new byte[ALGS.length][];
        digests.forEach((k, v) -> d[k.ordinal()] = v.clone());
        return d;
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
        for (HashAlg a : ALGS) {
            if (digests[a.ordinal()] != null) {
                d.put(a, digests[a.ordinal()].clone());
            }
        }
        return d;
    }

    /** The digest in one bank without copying (null if none), for replay inside this package. */
    byte[] digestRef(HashAlg alg) {
        return digests[alg.ordinal()];
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
