package io.trustbit.attest.tpm2;

/**
 * Bytes that are not a well-formed TPM 2.0 structure of the expected kind. The message names the
 * field and the byte offset at which parsing stopped; nothing of a malformed structure is returned.
 */
public final class Tpm2FormatException extends Exception {
    private final String field;
    private final int offset;

    public Tpm2FormatException(String field, int offset, String problem) {
        super(field + " at offset " + offset + ": " + problem);
        this.field = field;
        this.offset = offset;
    }

    /** The field being read when parsing failed, e.g. {@code TPMS_ATTEST.extraData.size}. */
    public String field() {
        return field;
    }

    /** Offset of that field in the input. */
    public int offset() {
        return offset;
    }
}
