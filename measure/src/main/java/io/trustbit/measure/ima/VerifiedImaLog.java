package io.trustbit.measure.ima;

import java.util.List;

/**
 * The entries of an IMA measurement list that replayed to a quoted PCR 10, and the replay state after
 * them, from which the next incremental replay continues.
 *
 * @param entries verified entries in list order
 * @param end the state after the last verified entry
 * @param uncoveredEntries entries after those, which the quote did not cover yet (added after it was taken);
 *     they are neither verified nor appraised and come again with the next evidence
 */
public record VerifiedImaLog(List<VerifiedImaEntry> entries, ImaReplayState end, int uncoveredEntries) {
    public VerifiedImaLog {
        entries = List.copyOf(entries);
    }
}
