package io.trustbit.measure;

import io.trustbit.measure.internal.LeWriter;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Writes crypto-agile event logs (TCG PC Client PFP 1.05, §10.2.2): a Spec ID Event03 header
 * (§10.4.5.1) followed by one TCG_PCR_EVENT2 per extend, every event in every bank of the log.
 */
public final class EventLogWriter {
    private final List<HashAlg> banks;
    private final LeWriter out;
    private boolean pcr0Extended;

    /** A log with the given banks, in this order (e.g. SHA-1, SHA-256). */
    public EventLogWriter(List<HashAlg> banks) {
        if (banks.isEmpty() || banks.size() != banks.stream().distinct().count()) {
            throw new IllegalArgumentException("a log needs at least one bank, each once");
        }
        this.banks = List.copyOf(banks);
        this.out = new LeWriter(4096);
        writeSpecIdHeader();
    }

    private void writeSpecIdHeader() {
        // TCG_PCClientPCREvent (§10.2.1) carrying TCG_EfiSpecIdEvent (§10.4.5.1)
        int dataSize = 16 + 4 + 4 + 4 + 4 * banks.size() + 1;
        out.u32(0).u32(EventType.EV_NO_ACTION).zeros(20).u32(dataSize);
        out.bytes("Spec ID Event03\0".getBytes(StandardCharsets.US_ASCII));
        out.u32(0); // platformClass: client
        out.u8(0).u8(2).u8(0); // specVersionMinor, specVersionMajor, specErrata
        out.u8(2); // uintnSize: UINT64
        out.u32(banks.size());
        for (HashAlg alg : banks) {
            out.u16(alg.tcgId()).u16(alg.size());
        }
        out.u8(0); // vendorInfoSize
    }

    /** A StartupLocality EV_NO_ACTION event (§10.4.5.3); must precede every PCR 0 event. */
    public EventLogWriter startupLocality(int locality) {
        if (pcr0Extended || locality < 0 || locality > 4) {
            throw new IllegalStateException("StartupLocality must precede PCR 0 events and be 0..4");
        }
        byte[] data = new byte[17];
        System.arraycopy("StartupLocality\0".getBytes(StandardCharsets.US_ASCII), 0, data, 0, 16);
        data[16] = (byte) locality;
        Map<HashAlg, byte[]> zero = new EnumMap<>(HashAlg.class);
        banks.forEach(a -> zero.put(a, new byte[a.size()]));
        return event(0, EventType.EV_NO_ACTION, zero, data);
    }

    /** An event whose digest in every bank is the hash of its data. */
    public EventLogWriter extendData(int pcr, long type, byte[] data) {
        Map<HashAlg, byte[]> d = new EnumMap<>(HashAlg.class);
        banks.forEach(a -> d.put(a, a.digest(data)));
        return event(pcr, type, d, data);
    }

    /** An event with given digests (one per bank of the log) and data. */
    public EventLogWriter event(int pcr, long type, Map<HashAlg, byte[]> digests, byte[] data) {
        if (pcr < 0 || pcr >= PcrBank.PCR_COUNT) {
            throw new IllegalArgumentException("PCR index " + pcr + " outside 0.." + (PcrBank.PCR_COUNT - 1));
        }
        if (!digests.keySet().equals(java.util.Set.copyOf(banks))) {
            throw new IllegalArgumentException("an event needs a digest for exactly the banks " + banks);
        }
        out.u32(pcr).u32(type).u32(banks.size());
        for (HashAlg alg : banks) {
            byte[] d = digests.get(alg);
            if (d.length != alg.size()) {
                throw new IllegalArgumentException(alg.bankName() + " digest must have " + alg.size() + " bytes");
            }
            out.u16(alg.tcgId()).bytes(d);
        }
        out.u32(data.length).bytes(data);
        if (pcr == 0 && type != EventType.EV_NO_ACTION) {
            pcr0Extended = true;
        }
        return this;
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }
}
