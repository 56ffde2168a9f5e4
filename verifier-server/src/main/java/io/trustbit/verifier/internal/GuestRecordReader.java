package io.trustbit.verifier.internal;

import io.trustbit.measure.FormatException;
import io.trustbit.measure.GuestRecord;

/**
 * Reads a PCR 19 guest record (docs/launch-protocol.md "Measurements") for the appraisal, which reports
 * a malformed record as a failed guest check.
 */
public final class GuestRecordReader {
    private GuestRecordReader() {}

    /** Parses the record with {@link GuestRecord#parse}; any deviation throws {@link IllegalArgumentException} naming the field. */
    public static GuestRecord parse(byte[] b) {
        try {
            return GuestRecord.parse(b);
        } catch (FormatException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
