package io.trustbit.measure;

import io.trustbit.measure.internal.Hex;
import java.util.List;
import java.util.stream.Collectors;

/** A replay did not reproduce the given PCR values; lists every PCR that did not match. */
public final class ReplayMismatchException extends Exception {

    /** One PCR whose replayed value differs from the reference value. */
    public record Mismatch(HashAlg bank, int pcr, byte[] expected, byte[] replayed) {
        @Override
        public String toString() {
            return bank.bankName() + ":" + pcr + " (expected " + Hex.of(expected) + ", replayed " + Hex.of(replayed) + ")";
        }
    }

    private final List<Mismatch> mismatches;

    public ReplayMismatchException(List<Mismatch> mismatches) {
        super("event log replay does not match PCR "
                + mismatches.stream().map(m -> m.bank().bankName() + ":" + m.pcr()).collect(Collectors.joining(", ")));
        this.mismatches = List.copyOf(mismatches);
    }

    public List<Mismatch> mismatches() {
        return mismatches;
    }
}
