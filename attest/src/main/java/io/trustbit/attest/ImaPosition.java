package io.trustbit.attest;

/**
 * What a verifier has appraised of a node's IMA measurement list: up to entry {@code nextEntry} (byte
 * {@code byteOffset}) in the boot the TPM counted as {@code resetCount}/{@code restartCount}. A challenge
 * carries it so that the agent sends only what follows; in another boot the agent sends the whole list.
 */
public record ImaPosition(long resetCount, long restartCount, long nextEntry, long byteOffset) {
    public ImaPosition {
        if (nextEntry < 0 || byteOffset < 0 || (nextEntry == 0) != (byteOffset == 0)) {
            throw new IllegalArgumentException("IMA position entry " + nextEntry + ", byte " + byteOffset
                    + ": both must be 0 or both positive");
        }
    }
}
