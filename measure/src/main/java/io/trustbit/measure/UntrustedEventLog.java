package io.trustbit.measure;

import io.trustbit.measure.internal.EventLogQuirks;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A parsed TCG PC Client event log, legacy SHA-1 or crypto-agile. Nothing in it is trusted: replay it
 * against PCR values the TPM quoted with {@link #verifyAgainst} to obtain verified events.
 *
 * <p>Replay (as tpm2_eventlog does it): every PCR starts at 0, except PCR 0, which starts at the
 * StartupLocality value in its last byte (TCG PC Client PFP 1.05, §10.4.5.3) or at 4 after an H-CRTM
 * event. PCRs 17–22 start at 0 because our logs record a dynamic launch, which resets them to 0.
 * EV_NO_ACTION events are never extended (PFP §10.4.1).
 */
public final class UntrustedEventLog {

    /** The two log formats of TCG PC Client PFP 1.05, §10.2. */
    public enum Format { LEGACY_SHA1, CRYPTO_AGILE }

    private static final int PARALLEL_THRESHOLD = 20_000;

    private final EventLogParser.ParsedLog parsed;

    private UntrustedEventLog(EventLogParser.ParsedLog parsed) {
        this.parsed = parsed;
    }

    /** Parses a log; any deviation from the format is an {@link EventLogFormatException}. */
    public static UntrustedEventLog parse(byte[] log) throws EventLogFormatException {
        try {
            return new UntrustedEventLog(EventLogParser.parse(log));
        } catch (FormatException e) {
            throw new EventLogFormatException(e.getMessage(), e);
        }
    }

    public Format format() {
        return parsed.cryptoAgile() ? Format.CRYPTO_AGILE : Format.LEGACY_SHA1;
    }

    /** The banks the log declares (the Spec ID header's algorithms; SHA-1 for a legacy log). */
    public List<HashAlg> banks() {
        return parsed.banks();
    }

    /** Events after the Spec ID header, in log order. */
    public List<UntrustedEvent> events() {
        return parsed.events();
    }

    /** The Spec ID Event03 header of a crypto-agile log. */
    public Optional<SpecIdEvent> specId() {
        return Optional.ofNullable(parsed.specId());
    }

    /** The locality PCR 0 starts from (0 unless a StartupLocality or H-CRTM event says otherwise). */
    public int pcr0StartLocality() {
        return parsed.pcr0StartLocality();
    }

    /**
     * Replays the log without reference values: every PCR that has an event in a bank, in every bank
     * that has one. The result is a claim of the log, not a verified fact.
     */
    public PcrValues replay() {
        PcrValues.Builder b = PcrValues.builder();
        for (PcrBank bank : replayBanks(parsed.events(), EnumSet.copyOf(parsed.banks())).values()) {
            bank.snapshot(b);
        }
        return b.build();
    }

    /**
     * Replays the log and compares every PCR of {@code reference} (normally quoted by a TPM) with the
     * replayed value; a PCR without events must hold its starting value. Returns the events whose PCR
     * and bank were checked; throws if any PCR differs, listing all of them.
     */
    public VerifiedEventLog verifyAgainst(PcrValues reference) throws ReplayMismatchException {
        List<ReplayMismatchException.Mismatch> plain = mismatches(parsed.events(), reference);
        if (plain.isEmpty()) {
            return verified(parsed.events(), reference, List.of());
        }
        for (EventLogQuirks.Quirk quirk : EventLogQuirks.ALL) {
            Optional<List<UntrustedEvent>> fixed = quirk.apply(parsed.events());
            if (fixed.isPresent() && mismatches(fixed.get(), reference).isEmpty()) {
                return verified(fixed.get(), reference, List.of(quirk.name()));
            }
        }
        throw new ReplayMismatchException(plain);
    }

    private List<ReplayMismatchException.Mismatch> mismatches(List<UntrustedEvent> events, PcrValues reference) {
        Map<HashAlg, PcrBank> banks = replayBanks(events, reference.banks());
        List<ReplayMismatchException.Mismatch> out = new ArrayList<>();
        for (HashAlg alg : reference.banks()) {
            PcrBank bank = banks.get(alg);
            for (int pcr : reference.pcrs(alg)) {
                byte[] expected = reference.get(alg, pcr).orElseThrow();
                byte[] replayed = bank.value(pcr);
                if (!MessageDigest.isEqual(expected, replayed)) {
                    out.add(new ReplayMismatchException.Mismatch(alg, pcr, expected, replayed));
                }
            }
        }
        return out;
    }

    private static VerifiedEventLog verified(List<UntrustedEvent> events, PcrValues reference, List<String> quirks) {
        List<VerifiedEvent> out = new ArrayList<>();
        for (UntrustedEvent e : events) {
            if (e.eventType() == EventType.EV_NO_ACTION) {
                continue; // never extended, so nothing vouches for it
            }
            Set<HashAlg> banks = EnumSet.noneOf(HashAlg.class);
            for (HashAlg alg : reference.banks()) {
                if (e.digestRef(alg) != null && reference.pcrs(alg).contains(e.pcrIndex())) {
                    banks.add(alg);
                }
            }
            if (!banks.isEmpty()) {
                out.add(new VerifiedEvent(e, banks));
            }
        }
        return new VerifiedEventLog(out, reference, quirks);
    }

    private Map<HashAlg, PcrBank> replayBanks(List<UntrustedEvent> events, Set<HashAlg> algs) {
        Map<HashAlg, PcrBank> banks = new EnumMap<>(HashAlg.class);
        for (HashAlg alg : algs) {
            banks.put(alg, new PcrBank(alg));
        }
        // Banks are independent: replay them in parallel when the log is long enough to gain from it.
        if (events.size() >= PARALLEL_THRESHOLD && banks.size() > 1) {
            banks.values().parallelStream().forEach(b -> replayBank(b, events));
        } else {
            banks.values().forEach(b -> replayBank(b, events));
        }
        return banks;
    }

    private void replayBank(PcrBank bank, List<UntrustedEvent> events) {
        bank.startAtLocality(0, parsed.pcr0StartLocality());
        HashAlg alg = bank.alg();
        boolean agile = parsed.cryptoAgile();
        for (UntrustedEvent e : events) {
            byte[] digest = e.digestRef(alg);
            if (digest == null) {
                continue;
            }
            if (e.eventType() != EventType.EV_NO_ACTION) {
                bank.extend(e.pcrIndex(), digest);
            } else if (agile) {
                // tpm2_eventlog lists a PCR that has only EV_NO_ACTION events in a crypto-agile log
                bank.markUsed(e.pcrIndex());
            }
        }
    }
}
