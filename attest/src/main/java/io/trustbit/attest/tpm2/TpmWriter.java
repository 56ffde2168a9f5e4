package io.trustbit.attest.tpm2;

import java.io.ByteArrayOutputStream;

/** Marshals values in TPM 2.0 canonical (big-endian) form, TPM 2.0 Library Part 1 §18. */
final class TpmWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    TpmWriter u8(int v) {
        out.write(v);
        return this;
    }

    TpmWriter u16(int v) {
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    TpmWriter u32(int v) {
        u16(v >>> 16);
        u16(v);
        return this;
    }

    TpmWriter bytes(byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    TpmWriter tpm2b(byte[] b) {
        if (b.length > 0xFFFF) {
            throw new IllegalArgumentException("TPM2B buffer of " + b.length + " bytes exceeds 65535");
        }
        u16(b.length);
        return bytes(b);
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
