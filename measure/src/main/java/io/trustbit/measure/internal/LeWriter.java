package io.trustbit.measure.internal;

import java.io.ByteArrayOutputStream;

/** Little-endian writer for the formats we emit. */
public final class LeWriter {
    private final ByteArrayOutputStream out;

    public LeWriter() {
        this(256);
    }

    public LeWriter(int capacity) {
        out = new ByteArrayOutputStream(capacity);
    }

    public LeWriter u8(int v) {
        out.write(v);
        return this;
    }

    public LeWriter u16(int v) {
        out.write(v);
        out.write(v >>> 8);
        return this;
    }

    public LeWriter u32(long v) {
        for (int i = 0; i < 4; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    public LeWriter u64(long v) {
        for (int i = 0; i < 8; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    public LeWriter bytes(byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    public LeWriter zeros(int n) {
        for (int i = 0; i < n; i++) {
            out.write(0);
        }
        return this;
    }

    public int size() {
        return out.size();
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }
}
