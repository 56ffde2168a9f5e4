package io.trustbit.measure;

import io.trustbit.measure.internal.ByteReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Parser for TCG PC Client event logs (TCG PC Client Platform Firmware Profile Specification 1.05,
 * §10.2.1 TCG_PCClientPCREvent, §10.2.2 TCG_PCR_EVENT2, §10.4.5.1 TCG_EfiSpecIdEvent, §10.4.5.3
 * StartupLocality). A log whose first record is an EV_NO_ACTION event carrying "Spec ID Event03" is
 * crypto-agile; any other log is a legacy SHA-1 log. Everything is bounds-checked by {@link ByteReader}.
 */
final class EventLogParser {
    public static final int MAX_EVENTS = 1_000_000;
    public static final int MAX_EVENT_SIZE = 16 * 1024 * 1024;
    public static final int MAX_DIGESTS = 8;
    public static final int MAX_VENDOR_INFO = 255;

    static final byte[] SPEC_ID_03 = "Spec ID Event03\0".getBytes(StandardCharsets.US_ASCII);
    static final byte[] STARTUP_LOCALITY = "StartupLocality\0".getBytes(StandardCharsets.US_ASCII);

    /** The parse result: format, banks, events, and the PCR 0 starting value. */
    record ParsedLog(boolean cryptoAgile, List<HashAlg> banks, List<UntrustedEvent> events,
            int pcr0StartLocality, SpecIdEvent specId) {}

    private static final HashAlg[] ALGS = HashAlg.values();

    private EventLogParser() {}

    static ParsedLog parse(byte[] log) throws FormatException {
        if (isCryptoAgile(log)) {
            return parseCryptoAgile(log);
        }
        return parseLegacy(log);
    }

    private static boolean isCryptoAgile(byte[] log) {
        // TCG_PCClientPCREvent header: pcrIndex(4) eventType(4) digest(20) eventDataSize(4), then the
        // TCG_EfiSpecIdEvent whose signature starts the data.
        int sig = 32;
        if (log.length < sig + SPEC_ID_03.length) {
            return false;
        }
        long type = (log[4] & 0xFFL) | (log[5] & 0xFFL) << 8 | (log[6] & 0xFFL) << 16 | (log[7] & 0xFFL) << 24;
        return type == EventType.EV_NO_ACTION
                && Arrays.equals(log, sig, sig + SPEC_ID_03.length, SPEC_ID_03, 0, SPEC_ID_03.length);
    }

    private static ParsedLog parseLegacy(byte[] log) throws FormatException {
        ByteReader r = new ByteReader(log);
        if (r.atEnd()) {
            throw r.error("log", "is empty");
        }
        List<UntrustedEvent> events = new ArrayList<>();
        while (!r.atEnd()) {
            int index = events.size();
            if (index >= MAX_EVENTS) {
                throw r.error("event " + index, "exceeds the limit of " + MAX_EVENTS + " events");
            }
            int offset = r.position();
            r.eventContext(index, offset);
            int pcr = pcrIndex(r);
            long type = r.u32("eventType");
            byte[][] digests = new byte[ALGS.length][];
            digests[HashAlg.SHA1.ordinal()] = r.bytes(HashAlg.SHA1.size(), "digest");
            int size = r.length32("eventDataSize", MAX_EVENT_SIZE);
            byte[] data = r.bytes(size, "event data");
            events.add(new UntrustedEvent(index, offset, pcr, type, digests, data));
        }
        return new ParsedLog(false, List.of(HashAlg.SHA1), events, 0, null);
    }

    private static int pcrIndex(ByteReader r) throws FormatException {
        long pcr = r.u32("pcrIndex");
        if (pcr >= PcrBank.PCR_COUNT) {
            throw r.fieldError("pcrIndex", pcr + " outside 0.." + (PcrBank.PCR_COUNT - 1));
        }
        return (int) pcr;
    }

    private static ParsedLog parseCryptoAgile(byte[] log) throws FormatException {
        ByteReader r = new ByteReader(log).context("event 0 (Spec ID header) at offset 0x0: ");
        int pcr0 = pcrIndex(r);
        if (pcr0 != 0) {
            throw r.fieldError("pcrIndex", "must be 0");
        }
        r.u32("eventType");
        r.zeros(20, "digest");
        int headerSize = r.length32("eventDataSize", MAX_EVENT_SIZE);
        int headerEnd = r.position() + headerSize;
        r.expect(SPEC_ID_03, "signature");
        long platformClass = r.u32("platformClass");
        int minor = r.u8("specVersionMinor");
        int major = r.u8("specVersionMajor");
        int errata = r.u8("specErrata");
        int uintn = r.u8("uintnSize");
        int nAlgs = r.count32("numberOfAlgorithms", MAX_DIGESTS);
        if (nAlgs == 0) {
            throw r.error("numberOfAlgorithms", "must be at least 1");
        }
        List<HashAlg> banks = new ArrayList<>();
        for (int i = 0; i < nAlgs; i++) {
            int id = r.u16("algorithmId[" + i + "]");
            int size = r.u16("digestSize[" + i + "]");
            HashAlg alg = HashAlg.fromTcgId(id).orElse(null);
            if (alg == null) {
                throw r.fieldError("algorithmId[" + i + "]", String.format("0x%04x is not a supported algorithm", id));
            }
            if (size != alg.size()) {
                throw r.fieldError("digestSize[" + i + "]", size + " does not match " + alg.bankName() + " (" + alg.size() + ")");
            }
            if (banks.contains(alg)) {
                throw r.fieldError("algorithmId[" + i + "]", alg.bankName() + " listed twice");
            }
            banks.add(alg);
        }
        int vendorSize = r.u8("vendorInfoSize");
        byte[] vendor = r.bytes(vendorSize, "vendorInfo");
        if (r.position() != headerEnd) {
            throw r.fieldError("eventDataSize", headerSize + " does not match the Spec ID event's own size "
                    + (headerSize - (headerEnd - r.position())));
        }
        SpecIdEvent specId = new SpecIdEvent(platformClass, minor, major, errata, uintn, List.copyOf(banks), vendor);

        HashAlg[] bankArray = banks.toArray(new HashAlg[0]);
        List<UntrustedEvent> events = new ArrayList<>();
        int pcr0Start = 0;
        boolean pcr0Extended = false;
        boolean sawLocality = false;
        int index = 1;
        while (!r.atEnd()) {
            if (index > MAX_EVENTS) {
                throw r.error("event " + index, "exceeds the limit of " + MAX_EVENTS + " events");
            }
            int offset = r.position();
            r.eventContext(index, offset);
            int pcr = pcrIndex(r);
            long type = r.u32("eventType");
            int count = r.count32("digestCount", MAX_DIGESTS);
            byte[][] digests = new byte[ALGS.length][];
            for (int i = 0; i < count; i++) {
                int id = r.u16("digests.hashAlg");
                HashAlg alg = null;
                for (HashAlg b : bankArray) {
                    if (b.tcgId() == id) {
                        alg = b;
                    }
                }
                if (alg == null) {
                    throw r.fieldError("digests[" + i + "].hashAlg",
                            String.format("0x%04x is not an algorithm of the Spec ID header", id));
                }
                if (digests[alg.ordinal()] != null) {
                    throw r.fieldError("digests[" + i + "].hashAlg", alg.bankName() + " digest given twice");
                }
                digests[alg.ordinal()] = r.bytes(alg.size(), "digest");
            }
            int size = r.length32("eventSize", MAX_EVENT_SIZE);
            byte[] data = r.bytes(size, "event");
            if (pcr == 0 && type == EventType.EV_NO_ACTION && startsWith(data, STARTUP_LOCALITY)) {
                // §10.4.5.3: StartupLocality precedes every PCR 0 measurement; PCR 0 starts at its value.
                if (data.length != STARTUP_LOCALITY.length + 1) {
                    throw r.fieldError("StartupLocality", "event must have 17 bytes, has " + data.length);
                }
                if (sawLocality || pcr0Extended) {
                    throw r.fieldError("StartupLocality", sawLocality ? "appears twice" : "follows a PCR 0 measurement");
                }
                int locality = data[16] & 0xFF;
                if (locality > 4) {
                    throw r.fieldError("StartupLocality", "locality " + locality + " outside 0..4");
                }
                sawLocality = true;
                pcr0Start = locality;
            } else if (pcr == 0 && type == EventType.EV_EFI_HCRTM_EVENT && !pcr0Extended) {
                // TPM 2.0 Library Part 1, §34.3: an H-CRTM sequence starts PCR 0 at locality 4.
                pcr0Start = 4;
            }
            if (pcr == 0 && type != EventType.EV_NO_ACTION) {
                pcr0Extended = true;
            }
            events.add(new UntrustedEvent(index, offset, pcr, type, digests, data));
            index++;
        }
        return new ParsedLog(true, List.copyOf(banks), events, pcr0Start, specId);
    }

    private static boolean startsWith(byte[] data, byte[] prefix) {
        return data.length >= prefix.length && Arrays.equals(data, 0, prefix.length, prefix, 0, prefix.length);
    }
}
