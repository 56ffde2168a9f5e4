package io.trustbit.attest.tpm2;

/**
 * A quote's signed attestation structure, parsed from untrusted bytes.
 *
 * <p>TPM 2.0 Library Part 2 (rev. 1.59) §10.12.12 TPMS_ATTEST: {@code magic (TPM_GENERATED, UINT32) ‖
 * type (TPMI_ST_ATTEST, UINT16) ‖ qualifiedSigner (TPM2B_NAME) ‖ extraData (TPM2B_DATA) ‖ clockInfo
 * (TPMS_CLOCK_INFO §10.11.1) ‖ firmwareVersion (UINT64) ‖ attested (TPMU_ATTEST)}; for type
 * TPM_ST_ATTEST_QUOTE the union holds TPMS_QUOTE_INFO (§10.12.4): {@code pcrSelect (TPML_PCR_SELECTION) ‖
 * pcrDigest (TPM2B_DIGEST)}.
 *
 * <p>Parsing is strict: magic must be TPM_GENERATED_VALUE (§6.2, 0xFF544347 — the TPM signs only
 * structures it generated with this value, so anything else was not made by a TPM) and type must be
 * TPM_ST_ATTEST_QUOTE (§6.9, 0x8018); other attestation types are refused rather than half-parsed.
 * Trailing bytes are an error.
 */
public record TpmsAttest(int magic, int type, byte[] qualifiedSigner, byte[] extraData, ClockInfo clockInfo,
        long firmwareVersion, PcrSelection pcrSelect, byte[] pcrDigest) {
    /** TPM_GENERATED_VALUE. */
    public static final int TPM_GENERATED_VALUE = 0xFF544347;
    /** TPM_ST_ATTEST_QUOTE. */
    public static final int TPM_ST_ATTEST_QUOTE = 0x8018;
    /** TPM2B_NAME maximum: sizeof(TPMU_NAME) = UINT16 + the largest digest. */
    static final int MAX_NAME = 2 + TpmtPublic.MAX_DIGEST;
    /** TPM2B_DATA maximum: sizeof(TPMT_HA). */
    static final int MAX_DATA = 2 + TpmtPublic.MAX_DIGEST;

    public TpmsAttest {
        qualifiedSigner = qualifiedSigner.clone();
        extraData = extraData.clone();
        pcrDigest = pcrDigest.clone();
    }

    /** Parses a marshalled TPMS_ATTEST of a quote. */
    public static TpmsAttest parse(byte[] bytes) throws Tpm2FormatException {
        TpmReader r = new TpmReader(bytes, "TPMS_ATTEST");
        int magic = r.u32("magic");
        if (magic != TPM_GENERATED_VALUE) {
            throw r.errorAt("magic", 0, String.format("0x%08x is not TPM_GENERATED_VALUE", magic));
        }
        int type = r.u16("type");
        if (type != TPM_ST_ATTEST_QUOTE) {
            throw r.errorAt("type", 4, String.format("0x%04x is not TPM_ST_ATTEST_QUOTE", type));
        }
        byte[] signer = r.tpm2b("qualifiedSigner", MAX_NAME);
        byte[] extra = r.tpm2b("extraData", MAX_DATA);
        long clock = r.u64("clockInfo.clock");
        long resetCount = Integer.toUnsignedLong(r.u32("clockInfo.resetCount"));
        long restartCount = Integer.toUnsignedLong(r.u32("clockInfo.restartCount"));
        int safeAt = r.offset();
        int safe = r.u8("clockInfo.safe");
        if (safe > 1) {
            throw r.errorAt("clockInfo.safe", safeAt, "TPMI_YES_NO value " + safe);
        }
        long firmware = r.u64("firmwareVersion");
        PcrSelection sel = PcrSelection.read(r, "attested.quote.pcrSelect.");
        byte[] digest = r.tpm2b("attested.quote.pcrDigest", TpmtPublic.MAX_DIGEST);
        r.end();
        return new TpmsAttest(magic, type, signer, extra, new ClockInfo(clock, resetCount, restartCount, safe == 1),
                firmware, sel, digest);
    }

    /**
     * The signer's Qualified Name (Part 1 §16.6) — not its Name. See
     * {@link TpmtPublic#qualifiedName(byte[])}.
     */
    @Override
    public byte[] qualifiedSigner() {
        return qualifiedSigner.clone();
    }

    /** The caller's qualifying data; for our quotes the verifier's nonce. */
    @Override
    public byte[] extraData() {
        return extraData.clone();
    }

    @Override
    public byte[] pcrDigest() {
        return pcrDigest.clone();
    }
}
