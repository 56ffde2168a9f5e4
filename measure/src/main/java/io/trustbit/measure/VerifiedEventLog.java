package io.trustbit.measure;

import java.util.List;

/**
 * The events of a log that replay to PCR values given by the caller. Events of PCRs or banks that
 * were not checked, and EV_NO_ACTION events (never extended), are not part of it.
 *
 * @param events verified events in log order
 * @param pcrValues the reference values the replay reproduced
 * @param appliedQuirks workarounds that were needed for the replay to match (empty for a plain replay)
 */
public record VerifiedEventLog(List<VerifiedEvent> events, PcrValues pcrValues, List<String> appliedQuirks) {
    public VerifiedEventLog {
        events = List.copyOf(events);
        appliedQuirks = List.copyOf(appliedQuirks);
    }
}
