package io.trustbit.measure.ima;

import io.trustbit.measure.HashAlg;
import io.trustbit.measure.internal.Hex;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * Where an incremental replay stands: the index of the next entry and the running PCR value per bank after
 * every entry before it (as Keylime keeps {@code next_ima_ml_entry} and the running PCR 10). Immutable.
 */
public final class ImaReplayState {
    private final long nextEntry;
    private final Map<HashAlg, byte[]> pcr;

    private ImaReplayState(long nextEntry, Map<HashAlg, byte[]> pcr) {
        this.nextEntry = nextEntry;
        this.pcr = pcr;
    }

    /** The state at boot in the given banks: no entry replayed, PCR 10 all zeros. */
    public static ImaReplayState initial(Set<HashAlg> banks) {
        Map<HashAlg, byte[]> m = new EnumMap<>(HashAlg.class);
        for (HashAlg a : banks) {
            m.put(a, new byte[a.size()]);
        }
        return of(0, m);
    }

    /** The state at boot in the SHA-1 and SHA-256 banks. */
    public static ImaReplayState initial() {
        return initial(Set.of(HashAlg.SHA1, HashAlg.SHA256));
    }

    /** A stored state: at least one bank, each value of its bank's digest size. */
    public static ImaReplayState of(long nextEntry, Map<HashAlg, byte[]> pcr) {
        if (nextEntry < 0) {
            throw new IllegalArgumentException("next entry " + nextEntry + " is negative");
        }
        if (pcr.isEmpty()) {
            throw new IllegalArgumentException("a replay state needs at least one bank");
        }
        Map<HashAlg, byte[]> m = new EnumMap<>(HashAlg.class);
        for (Map.Entry<HashAlg, byte[]> e : pcr.entrySet()) {
            if (e.getValue().length != e.getKey().size()) {
                throw new IllegalArgumentException(e.getKey().bankName() + " value is not " + e.getKey().size() + " bytes");
            }
            m.put(e.getKey(), e.getValue().clone());
        }
        return new ImaReplayState(nextEntry, Collections.unmodifiableMap(m));
    }

    public long nextEntry() {
        return nextEntry;
    }

    /** The running PCR value in one bank (a copy). */
    public byte[] pcr(HashAlg bank) {
        return pcr.get(bank).clone();
    }

    public Set<HashAlg> banks() {
        return pcr.keySet();
    }

    /**
     * The state as bytes a verifier can store between attestations (little-endian): u64 next entry, u8 bank
     * count, then per bank in {@link HashAlg} order its u16 TPM_ALG_ID and the running value.
     */
    public byte[] encode() {
        int size = 9;
        for (HashAlg a : pcr.keySet()) {
            size += 2 + a.size();
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(size).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(nextEntry).put((byte) pcr.size());
        pcr.forEach((a, v) -> b.putShort((short) a.tcgId()).put(v));
        return b.array();
    }

    /** Reads {@link #encode()}'s bytes; anything else is refused naming the field. */
    public static ImaReplayState decode(byte[] bytes) throws io.trustbit.measure.FormatException {
        io.trustbit.measure.internal.ByteReader r = new io.trustbit.measure.internal.ByteReader(bytes).context("IMA replay state: ");
        long next = r.u64("next entry");
        int banks = r.u8("bank count");
        if (banks == 0 || banks > HashAlg.values().length) {
            throw r.error("bank count", banks + " is not 1.." + HashAlg.values().length);
        }
        Map<HashAlg, byte[]> m = new EnumMap<>(HashAlg.class);
        for (int i = 0; i < banks; i++) {
            int id = r.u16("bank algorithm");
            HashAlg a = HashAlg.fromTcgId(id).orElseThrow(() -> r.fieldError("bank algorithm", String.format("0x%04x is not a supported bank", id)));
            if (m.put(a, r.bytes(a.size(), a.bankName() + " value")) != null) {
                throw r.fieldError("bank algorithm", a.bankName() + " appears twice");
            }
        }
        r.requireEnd("IMA replay state");
        return of(next, m);
    }

    byte[] pcrRef(HashAlg bank) {
        return pcr.get(bank);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("next entry " + nextEntry);
        pcr.forEach((a, v) -> sb.append(", ").append(a.bankName()).append(' ').append(Hex.of(v)));
        return sb.toString();
    }
}
