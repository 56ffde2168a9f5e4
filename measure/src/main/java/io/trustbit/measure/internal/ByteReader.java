package io.trustbit.measure.internal;

import io.trustbit.measure.FormatException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The one reader for untrusted bytes. Little-endian unless a method says otherwise. Every read checks
 * the length against what remains before it allocates or advances; every failure names the field
 * and its byte offset, prefixed by the current context (e.g. {@code event 12 at offset 0x1a2c}).
 */
public final class ByteReader {
    private final byte[] buf;
    private final int end;
    private int pos;
    private String context = "";
    private long eventIndex = -1;
    private int eventOffset;
    private String eventNoun = "event ";

    public ByteReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    public ByteReader(byte[] buf, int offset, int length) {
        if (offset < 0 || length < 0 || offset > buf.length - length) {
            throw new IllegalArgumentException("range outside buffer");
        }
        this.buf = buf;
        this.pos = offset;
        this.end = offset + length;
    }

    /** Sets the prefix of error messages, e.g. {@code "launch configuration: "}. */
    public ByteReader context(String context) {
        this.context = context;
        this.eventIndex = -1;
        return this;
    }

    /** Sets the prefix {@code "event N at offset 0xO: "}, built only when an error needs it. */
    public ByteReader eventContext(int index, int offset) {
        return itemContext("event ", index, offset);
    }

    /** Sets the prefix {@code "NOUN N at offset 0xO: "} (noun with its trailing space), built only when an error needs it. */
    public ByteReader itemContext(String noun, long index, int offset) {
        this.eventNoun = noun;
        this.eventIndex = index;
        this.eventOffset = offset;
        return this;
    }

    private String prefix() {
        return eventIndex < 0 ? context : eventNoun + eventIndex + " at offset 0x" + Integer.toHexString(eventOffset) + ": ";
    }

    public int position() {
        return pos;
    }

    public int remaining() {
        return end - pos;
    }

    public boolean atEnd() {
        return pos == end;
    }

    /** A failure naming {@code field} at the current offset. */
    public FormatException error(String field, String problem) {
        return new FormatException(prefix() + field + " " + problem + " (offset 0x" + Integer.toHexString(pos) + ")");
    }

    /** A failure naming {@code field} without an offset (the context already has one). */
    public FormatException fieldError(String field, String problem) {
        return new FormatException(prefix() + field + " " + problem);
    }

    private void need(long n, String field) throws FormatException {
        if (n > remaining()) {
            throw fieldError(field, "needs " + n + " bytes but " + remaining() + " remain (offset 0x"
                    + Integer.toHexString(pos) + ")");
        }
    }

    public int u8(String field) throws FormatException {
        need(1, field);
        return buf[pos++] & 0xFF;
    }

    public int u16(String field) throws FormatException {
        need(2, field);
        int v = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8;
        pos += 2;
        return v;
    }

    /** An unsigned 32-bit value as a long. */
    public long u32(String field) throws FormatException {
        need(4, field);
        long v = (buf[pos] & 0xFFL) | (buf[pos + 1] & 0xFFL) << 8 | (buf[pos + 2] & 0xFFL) << 16
                | (buf[pos + 3] & 0xFFL) << 24;
        pos += 4;
        return v;
    }

    /** An unsigned 64-bit value; values above {@link Long#MAX_VALUE} are refused. */
    public long u64(String field) throws FormatException {
        need(8, field);
        long lo = u32(field);
        long hi = u32(field);
        if (hi > 0x7FFF_FFFFL) {
            pos -= 8;
            throw error(field, "value exceeds 2^63-1");
        }
        return hi << 32 | lo;
    }

    /**
     * A length field (u32) that must not exceed {@code max} nor what remains: checked here, before the
     * caller allocates anything.
     */
    public int length32(String field, long max) throws FormatException {
        int at = pos;
        long v = u32(field);
        return checkLength(field, v, max, at, 4);
    }

    /** A u16 length field with the same checks as {@link #length32}. */
    public int length16(String field, long max) throws FormatException {
        int at = pos;
        long v = u16(field);
        return checkLength(field, v, max, at, 2);
    }

    private int checkLength(String field, long v, long max, int at, int width) throws FormatException {
        if (v > remaining()) {
            pos = at;
            throw fieldError(field, v + " exceeds remaining " + (end - at - width) + " bytes (offset 0x"
                    + Integer.toHexString(at) + ")");
        }
        if (v > max) {
            pos = at;
            throw error(field, v + " exceeds the limit of " + max);
        }
        return (int) v;
    }

    /** A count field (u32) capped at {@code max}; no allocation depends on it unchecked. */
    public int count32(String field, long max) throws FormatException {
        int at = pos;
        long v = u32(field);
        if (v > max) {
            pos = at;
            throw error(field, v + " exceeds the limit of " + max);
        }
        return (int) v;
    }

    public byte[] bytes(int n, String field) throws FormatException {
        if (n < 0) {
            throw error(field, "negative length " + n);
        }
        need(n, field);
        byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return out;
    }

    public void skip(int n, String field) throws FormatException {
        need(n, field);
        pos += n;
    }

    /** Requires the next bytes to equal {@code expected}. */
    public void expect(byte[] expected, String field) throws FormatException {
        need(expected.length, field);
        if (!Arrays.equals(buf, pos, pos + expected.length, expected, 0, expected.length)) {
            throw error(field, "expected \"" + printable(expected) + "\"");
        }
        pos += expected.length;
    }

    /** Requires {@code n} zero bytes. */
    public void zeros(int n, String field) throws FormatException {
        need(n, field);
        for (int i = 0; i < n; i++) {
            if (buf[pos + i] != 0) {
                throw error(field, "must be zero");
            }
        }
        pos += n;
    }

    /** Nothing may follow. */
    public void requireEnd(String what) throws FormatException {
        if (pos != end) {
            throw error(what, "has " + remaining() + " trailing bytes");
        }
    }

    public byte peek(int ahead) {
        return buf[pos + ahead];
    }

    private static String printable(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1).replaceAll("[^\\x20-\\x7e]", ".");
    }
}
