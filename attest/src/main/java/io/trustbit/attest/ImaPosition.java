package io.trustbit.attest;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a verifier has appraised of a node's IMA measurement list: up to entry {@code nextEntry} (byte
 * {@code byteOffset}) in the boot the TPM counted as {@code resetCount}/{@code restartCount}. A challenge
 * carries it when the node's policy appraises the list, so that the agent sends only what follows; in another
 * boot the agent sends the whole list. Without a boot ({@link #start()}: nothing appraised yet) the agent sends
 * the whole list.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImaPosition(Long resetCount, Long restartCount, long nextEntry, long byteOffset) {
    public ImaPosition {
        if ((resetCount == null) != (restartCount == null)) {
            throw new IllegalArgumentException("IMA position: resetCount and restartCount go together");
        }
        if (nextEntry < 0 || byteOffset < 0 || (nextEntry == 0) != (byteOffset == 0)
                || (resetCount == null && nextEntry != 0)) {
            throw new IllegalArgumentException("IMA position entry " + nextEntry + ", byte " + byteOffset
                    + ": both must be 0 or both positive, and 0 without a boot");
        }
    }

    /** Nothing appraised: the whole list, please. */
    public static ImaPosition start() {
        return new ImaPosition(null, null, 0, 0);
    }

    /** Whether this position is in the boot a quote's clockInfo counts. */
    public boolean inBoot(long reset, long restart) {
        return resetCount != null && resetCount == reset && restartCount == restart;
    }
}
