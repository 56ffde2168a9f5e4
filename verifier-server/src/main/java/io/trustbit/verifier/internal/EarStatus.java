package io.trustbit.verifier.internal;

import com.fasterxml.jackson.annotation.JsonValue;

/** The appraisal status of one piece of evidence, as EAR names it ({@code ear.status}, draft-ietf-rats-ear §3.2). */
public enum EarStatus {
    AFFIRMING("affirming"),
    WARNING("warning"),
    CONTRAINDICATED("contraindicated");

    private final String wire;

    EarStatus(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    /** The status a stored row names; an unknown name is an error (the audit table is written only by us). */
    public static EarStatus fromWire(String s) {
        for (EarStatus e : values()) {
            if (e.wire.equals(s)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown verdict status " + s);
    }

    /** Whether a node whose latest unexpired verdict has this status is trusted. */
    public boolean trusts() {
        return this != CONTRAINDICATED;
    }
}
