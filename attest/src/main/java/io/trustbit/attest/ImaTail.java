package io.trustbit.attest;

/**
 * The part of the node's IMA measurement list that goes with one quote: the raw bytes of
 * {@code binary_runtime_measurements} from {@code byteOffset} to the end, whose first entry is entry
 * {@code firstEntry} of the list since boot. Untrusted like every evidence field: the verifier replays it
 * against the quoted PCR 10, continuing from the state it holds for this boot (docs/verifier.md "IMA").
 *
 * @param firstEntry index of the first entry in {@code log} (0: the whole list)
 * @param byteOffset where {@code log} starts in the kernel's list (0 when {@code firstEntry} is 0)
 * @param log the entries, whole, in the kernel's binary layout
 */
public record ImaTail(long firstEntry, long byteOffset, byte[] log) {
    public ImaTail {
        if (firstEntry < 0 || byteOffset < 0 || (firstEntry == 0) != (byteOffset == 0)) {
            throw new IllegalArgumentException("IMA tail at entry " + firstEntry + ", byte " + byteOffset
                    + ": both must be 0 or both positive");
        }
        log = log.clone();
    }

    @Override
    public byte[] log() {
        return log.clone();
    }
}
