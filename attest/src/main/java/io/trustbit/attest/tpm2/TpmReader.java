package io.trustbit.attest.tpm2;

import java.util.Arrays;

/**
 * The one bounds-checked reader for untrusted TPM 2.0 marshalled bytes (TPM 2.0 Library Part 1 §18,
 * big-endian canonical form). Every read checks what remains before it allocates; every error names
 * the field and its offset.
 */
final class TpmReader {
    private final byte[] buf;
    private final String structure;
    private int pos;

    TpmReader(byte[] buf, String structure) {
        this.buf = buf;
        this.structure = structure;
    }

    byte[] buffer() {
        return buf;
    }

    int offset() {
        return pos;
    }

    int remaining() {
        return buf.length - pos;
    }

    Tpm2FormatException error(String field, String problem) {
        return new Tpm2FormatException(structure + "." + field, pos, problem);
    }

    Tpm2FormatException errorAt(String field, int at, String problem) {
        return new Tpm2FormatException(structure + "." + field, at, problem);
    }

    private void need(String field, int n) throws Tpm2FormatException {
        if (n > remaining()) {
            throw error(field, "needs " + n + " bytes, " + remaining() + " remain");
        }
    }

    int u8(String field) throws Tpm2FormatException {
        need(field, 1);
        return buf[pos++] & 0xFF;
    }

    int u16(String field) throws Tpm2FormatException {
        need(field, 2);
        int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
        pos += 2;
        return v;
    }

    /** A UINT32 as a Java int (bit pattern preserved; use {@link Integer#toUnsignedLong} to widen). */
    int u32(String field) throws Tpm2FormatException {
        need(field, 4);
        int v = ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16) | ((buf[pos + 2] & 0xFF) << 8)
                | (buf[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    long u64(String field) throws Tpm2FormatException {
        need(field, 8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (buf[pos + i] & 0xFF);
        }
        pos += 8;
        return v;
    }

    byte[] bytes(String field, int n) throws Tpm2FormatException {
        need(field, n);
        byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return out;
    }

    /** A TPM2B: UINT16 size, then that many bytes; {@code max} is the structure's upper bound. */
    byte[] tpm2b(String field, int max) throws Tpm2FormatException {
        int at = pos;
        int size = u16(field + ".size");
        if (size > max) {
            throw errorAt(field + ".size", at, "size " + size + " exceeds the maximum " + max);
        }
        return bytes(field + ".buffer", size);
    }

    /** Fails unless every byte has been consumed. */
    void end() throws Tpm2FormatException {
        if (remaining() != 0) {
            throw error("end", remaining() + " trailing bytes");
        }
    }
}
