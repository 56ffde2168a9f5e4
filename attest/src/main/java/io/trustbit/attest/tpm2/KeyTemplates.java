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

    /**
     * An AK public area for a bare public key (PEM from tpm2-tools or OpenSSL), with the scheme such a
     * key has by default: ECDSA-SHA256 for P-256, ECDSA-SHA384 for P-384, RSASSA-SHA256 for RSA.
     * Only for offline checks where the TPM's own TPMT_PUBLIC is not at hand.
     */
    public static TpmtPublic akFromJcaKey(java.security.PublicKey key) {
        TpmWriter w = new TpmWriter();
        if (key instanceof java.security.interfaces.ECPublicKey ec) {
            int fieldBits = ec.getParams().getCurve().getField().getFieldSize();
            EccCurve curve = switch (fieldBits) {
                case 256 -> EccCurve.NIST_P256;
                case 384 -> EccCurve.NIST_P384;
                default -> throw new IllegalArgumentException("unsupported EC key of " + fieldBits + " bits");
            };
            HashAlg hash = curve == EccCurve.NIST_P256 ? HashAlg.SHA256 : HashAlg.SHA384;
            w.u16(AlgIds.ECC).u16(HashAlg.SHA256.tcgId()).u32(AK_ATTRIBUTES).tpm2b(new byte[0])
                    .u16(AlgIds.NULL).u16(AlgIds.ECDSA).u16(hash.tcgId()).u16(curve.tcgId()).u16(AlgIds.NULL)
                    .tpm2b(unsigned(ec.getW().getAffineX(), curve.coordinateSize()))
                    .tpm2b(unsigned(ec.getW().getAffineY(), curve.coordinateSize()));
        } else if (key instanceof java.security.interfaces.RSAPublicKey rsa) {
            int bits = rsa.getModulus().bitLength();
            if (bits % 8 != 0 || bits < 1024 || bits > 4096) {
                throw new IllegalArgumentException("unsupported RSA key of " + bits + " bits");
            }
            long e = rsa.getPublicExponent().longValueExact();
            w.u16(AlgIds.RSA).u16(HashAlg.SHA256.tcgId()).u32(AK_ATTRIBUTES).tpm2b(new byte[0])
                    .u16(AlgIds.NULL).u16(AlgIds.RSASSA).u16(HashAlg.SHA256.tcgId()).u16(bits)
                    .u32(e == 65537 ? 0 : (int) e)
                    .tpm2b(unsigned(rsa.getModulus(), bits / 8));
        } else {
            throw new IllegalArgumentException("unsupported key type " + key.getAlgorithm());
        }
        return parseOwn(w);
    }

    private static byte[] unsigned(java.math.BigInteger v, int size) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[size];
        int n = Math.min(raw.length, size);
        System.arraycopy(raw, raw.length - n, out, size - n, n);
        return out;
    }

    private static TpmtPublic parseOwn(TpmWriter w) {
        try {
            return TpmtPublic.parse(w.toByteArray());
        } catch (Tpm2FormatException e) {
            throw new IllegalStateException("built-in template does not parse", e);
        }
    }
}
