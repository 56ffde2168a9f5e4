package io.trustbit.verifier.internal;

import io.trustbit.attest.tpm2.Tpm2FormatException;
import io.trustbit.attest.tpm2.TpmtPublic;
import java.util.Arrays;

/**
 * Public areas as the API takes them: a marshalled TPMT_PUBLIC (what attest's agent sends), or the TPM2B_PUBLIC
 * that tpm2-tools writes ({@code tpm2_createek -u}, {@code tpm2_createak -u}: UINT16 size ‖ TPMT_PUBLIC, TPM 2.0
 * Part 2 §12.2.5). The two cannot be confused: the size prefix must equal the remaining length and what
 * follows must parse as a TPMT_PUBLIC, whose first field is a key type (0x0001 RSA, 0x0023 ECC); read as a bare
 * TPMT_PUBLIC, that key type would be the second field, nameAlg, which must be a hash algorithm, and no key
 * type id is one. Everything downstream (the stored enrollment, Names, the evidence's {@code akPublic}
 * comparison) uses the bare TPMT_PUBLIC.
 */
final class PublicAreas {
    private PublicAreas() {}

    /** The TPMT_PUBLIC bytes of {@code bytes}: without the size prefix of a TPM2B_PUBLIC, else unchanged. */
    static byte[] bare(byte[] bytes) {
        if (bytes.length < 2 || ((bytes[0] & 0xff) << 8 | (bytes[1] & 0xff)) != bytes.length - 2) {
            return bytes;
        }
        byte[] inner = Arrays.copyOfRange(bytes, 2, bytes.length);
        try {
            TpmtPublic.parse(inner);
            return inner;
        } catch (Tpm2FormatException e) {
            return bytes;
        }
    }
}
