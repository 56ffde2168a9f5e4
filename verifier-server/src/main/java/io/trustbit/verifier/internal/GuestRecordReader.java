package io.trustbit.verifier.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import io.trustbit.measure.GuestRecord;
import java.util.Arrays;

/**
 * Reads a PCR 19 guest record (docs/launch-protocol.md "Measurements", 128 bytes, little-endian):
 * {@code magic "TBGR" ‖ u32 version=1 ‖ u32 decision (1 launched, 2 refused) ‖ u32 reason ‖
 * sha256[32] image ‖ keyId[32] signer ‖ u32 securityVersion ‖ reserved[12] ‖ name[32] NUL-padded}.
 */
public final class GuestRecordReader {
    private static final int SIZE = GuestRecord.SIZE;

    private GuestRecordReader() {}

    /** Parses the record; any deviation throws {@link IllegalArgumentException} naming the field. */
    public static GuestRecord parse(byte[] b) {
        if (b.length != SIZE) {
            throw new IllegalArgumentException("guest record: " + b.length + " bytes, not " + SIZE);
        }
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        if (b[0] != 'T' || b[1] != 'B' || b[2] != 'G' || b[3] != 'R') {
            throw new IllegalArgumentException("guest record: magic at offset 0 is not TBGR");
        }
        if (bb.getInt(4) != 1) {
            throw new IllegalArgumentException("guest record: version at offset 4 is not 1");
        }
        int decision = bb.getInt(8);
        if (decision != 1 && decision != 2) {
            throw new IllegalArgumentException("guest record: decision at offset 8 is " + decision);
        }
        for (int i = 84; i < 96; i++) {
            if (b[i] != 0) {
                throw new IllegalArgumentException("guest record: reserved byte at offset " + i + " is not 0");
            }
        }
        int end = 96;
        while (end < SIZE && b[end] != 0) {
            byte c = b[end];
            if (c < 0x20 || c > 0x7e) {
                throw new IllegalArgumentException("guest record: name byte at offset " + end + " is not printable");
            }
            end++;
        }
        for (int i = end; i < SIZE; i++) {
            if (b[i] != 0) {
                throw new IllegalArgumentException("guest record: name padding at offset " + i + " is not NUL");
            }
        }
        return new GuestRecord(decision, Integer.toUnsignedLong(bb.getInt(12)), Arrays.copyOfRange(b, 16, 48),
                Arrays.copyOfRange(b, 48, 80), Integer.toUnsignedLong(bb.getInt(80)),
                new String(b, 96, end - 96, StandardCharsets.US_ASCII));
    }
}
