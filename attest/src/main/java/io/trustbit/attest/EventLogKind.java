package io.trustbit.attest;

import java.util.Optional;

/** The event logs an Evidence may carry, with their JSON keys. */
public enum EventLogKind {
    /** The DRTM (SKINIT → SLB → VMM → guests) log, PCRs 17–19: TCG crypto-agile format. */
    DRTM("drtm"),
    /** The firmware's static-root log (Linux {@code binary_bios_measurements}), PCRs 0–7. */
    UEFI("uefi");

    private final String jsonKey;

    EventLogKind(String jsonKey) {
        this.jsonKey = jsonKey;
    }

    public String jsonKey() {
        return jsonKey;
    }

    public static Optional<EventLogKind> fromJsonKey(String key) {
        for (EventLogKind k : values()) {
            if (k.jsonKey.equals(key)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
