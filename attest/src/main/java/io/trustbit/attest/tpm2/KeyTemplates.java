package io.trustbit.attest.tpm2;

import io.trustbit.measure.HashAlg;
import java.util.HexFormat;

/**
 * The public-area templates for the keys trustbit creates, marshalled as TPMT_PUBLIC (Part 2 §12.2.4).
 *
 * <p>EK templates: TCG EK Credential Profile for TPM Family 2.0, version 2.5, §B.3.3 template L-1
 * (RSA 2048) and §B.3.4 template L-2 (ECC NIST P-256): attributes fixedTPM, fixedParent,
 * sensitiveDataOrigin, adminWithPolicy, restricted, decrypt; authPolicy = PolicySecret(TPM_RH_ENDORSEMENT)
 * (§B.6.2); AES-128-CFB; scheme NULL; unique zero-filled (256 bytes RSA, 32+32 bytes ECC). A TPM
 * derives the same key from these as a vendor does for the EK certificate.
 *
 * <p>AK templates: restricted signing keys (fixedTPM, fixedParent, sensitiveDataOrigin, userWithAuth,
 * restricted, sign), the same as tpm2-tools' {@code tpm2_createak}.
 */
public final class KeyTemplates {
    /** PolicySecret(TPM_RH_ENDORSEMENT) with SHA-256: the EK authPolicy of templates L-1 and L-2. */
    public static final byte[] EK_POLICY = HexFormat.of().parseHex(
            "837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa");
    /** Attributes of the EK templates L-1 and L-2 (0x000300B2). */
    public static final int EK_ATTRIBUTES = TpmaObject.FIXED_TPM | TpmaObject.FIXED_PARENT
            | TpmaObject.SENSITIVE_DATA_ORIGIN | TpmaObject.ADMIN_WITH_POLICY | TpmaObject.RESTRICTED | TpmaObject.DECRYPT;
    /** Attributes of an attestation key (0x00050072). */
    public static final int AK_ATTRIBUTES = TpmaObject.FIXED_TPM | TpmaObject.FIXED_PARENT
            | TpmaObject.SENSITIVE_DATA_ORIGIN | TpmaObject.USER_WITH_AUTH | TpmaObject.RESTRICTED | TpmaObject.SIGN_ENCRYPT;

    private KeyTemplates() {
    }

    /** EK template L-1: RSA 2048, SHA-256. */
    public static TpmtPublic ekRsa2048() {
        TpmWriter w = new TpmWriter().u16(AlgIds.RSA).u16(HashAlg.SHA256.tcgId()).u32(EK_ATTRIBUTES).tpm2b(EK_POLICY)
                .u16(AlgIds.AES).u16(128).u16(AlgIds.CFB)
                .u16(AlgIds.NULL)
                .u16(2048).u32(0)
                .tpm2b(new byte[256]);
        return parseOwn(w);
    }

    /** EK template L-2: ECC NIST P-256, SHA-256. */
    public static TpmtPublic ekEccP256() {
        TpmWriter w = new TpmWriter().u16(AlgIds.ECC).u16(HashAlg.SHA256.tcgId()).u32(EK_ATTRIBUTES).tpm2b(EK_POLICY)
                .u16(AlgIds.AES).u16(128).u16(AlgIds.CFB)
                .u16(AlgIds.NULL)
                .u16(EccCurve.NIST_P256.tcgId())
                .u16(AlgIds.NULL)
                .tpm2b(new byte[32]).tpm2b(new byte[32]);
        return parseOwn(w);
    }

    /** AK: ECC NIST P-256 with ECDSA-SHA256 (the default). */
    public static TpmtPublic akEccP256() {
        TpmWriter w = new TpmWriter().u16(AlgIds.ECC).u16(HashAlg.SHA256.tcgId()).u32(AK_ATTRIBUTES).tpm2b(new byte[0])
                .u16(AlgIds.NULL)
                .u16(AlgIds.ECDSA).u16(HashAlg.SHA256.tcgId())
                .u16(EccCurve.NIST_P256.tcgId())
                .u16(AlgIds.NULL)
                .tpm2b(new byte[0]).tpm2b(new byte[0]);
        return parseOwn(w);
    }

    /** AK: RSA 2048 with RSASSA-SHA256. */
    public static TpmtPublic akRsa2048() {
        TpmWriter w = new TpmWriter().u16(AlgIds.RSA).u16(HashAlg.SHA256.tcgId()).u32(AK_ATTRIBUTES).tpm2b(new byte[0])
                .u16(AlgIds.NULL)
                .u16(AlgIds.RSASSA).u16(HashAlg.SHA256.tcgId())
                .u16(2048).u32(0)
                .tpm2b(new byte[0]);
        return parseOwn(w);
    }

    private static TpmtPublic parseOwn(TpmWriter w) {
        try {
            return TpmtPublic.parse(w.toByteArray());
        } catch (Tpm2FormatException e) {
            throw new IllegalStateException("built-in template does not parse", e);
        }
    }
}
