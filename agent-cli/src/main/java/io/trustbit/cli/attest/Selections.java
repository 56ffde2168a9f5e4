package io.trustbit.cli.attest;

import io.trustbit.attest.tpm2.PcrSelection;
import io.trustbit.cli.CliException;

/** The {@code --pcrs} argument. */
final class Selections {
    private Selections() {
    }

    static PcrSelection parse(String s) {
        try {
            PcrSelection sel = PcrSelection.parse(s);
            if (sel.isEmpty()) {
                throw CliException.badInput("--pcrs selects no PCR", null);
            }
            for (PcrSelection.Bank b : sel.banks()) {
                if (!b.pcrs().isEmpty() && b.pcrs().last() > 23) {
                    throw CliException.badInput("--pcrs: PC Client TPMs have PCRs 0-23", null);
                }
            }
            return sel;
        } catch (IllegalArgumentException e) {
            throw CliException.badInput("--pcrs: " + e.getMessage(), e);
        }
    }
}
