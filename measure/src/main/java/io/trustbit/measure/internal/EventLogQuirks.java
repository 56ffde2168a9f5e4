package io.trustbit.measure.internal;

import io.trustbit.measure.UntrustedEvent;
import java.util.List;
import java.util.Optional;

/**
 * The one place for workarounds for broken firmware event logs. A quirk is tried only after a plain
 * replay failed to match, and a match obtained with one is reported in the verified result. The logs
 * we produce and the firmware logs we test against need none, so the table is empty.
 */
public final class EventLogQuirks {

    /** A named rewrite of a log's events that some known firmware needs for its log to replay. */
    public interface Quirk {
        String name();

        /** The rewritten events, or empty if the quirk does not apply to this log. */
        Optional<List<UntrustedEvent>> apply(List<UntrustedEvent> events);
    }

    /** Every known quirk, in the order they are tried. */
    public static final List<Quirk> ALL = List.of();

    private EventLogQuirks() {}
}
