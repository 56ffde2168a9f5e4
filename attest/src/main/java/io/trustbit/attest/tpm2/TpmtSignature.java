package io.trustbit.attest.tpm2;

import io.trustbit.measure.HashAlg;

/**
 * A signature, parsed from untrusted bytes. TPM 2.0 Library Part 2 §11.3.4 TPMT_SIGNATURE:
 * {@code sigAlg (TPMI_ALG_SIG_SCHEME) ‖ signature (TPMU_SIGNATURE §11.3.3)}. For RSASSA and RSAPSS the
 * union is TPMS_SIGNATURE_RSA (§11.3.1: {@code hash ‖ sig (TPM2B_PUBLIC_KEY_RSA)}); for ECDSA it is
 * TPMS_SIGNATURE_ECC (§11.3.2: {@code hash ‖ signatureR ‖ signatureS}, both TPM2B_ECC_PARAMETER).
 * Other schemes (NULL, HMAC, ECDAA, SM2, ECSCHNORR) are refused.
 *
 * @param rsaSig the RSA signature (empty for ECDSA)
 * @param r      ECDSA r, big-endian unsigned (empty for RSA)
 * @param s      ECDSA s, big-endian unsigned (empty for RSA)
 */
public record TpmtSignature(SigScheme scheme, HashAlg hash, byte[] rsaSig, byte[] r, byte[] s) {

    public TpmtSignature {
        rsaSig = rsaSig.clone();
        r = r.clone();
        s = s.clone();
    }

    public static TpmtSignature parse(byte[] bytes) throws Tpm2FormatException {
        TpmReader in = new TpmReader(bytes, "TPMT_SIGNATURE");
        int alg = in.u16("sigAlg");
        SigScheme scheme = SigScheme.fromTcgId(alg)
                .orElseThrow(() -> in.errorAt("sigAlg", 0, String.format("unsupported signature scheme 0x%04x", alg)));
        HashAlg hash = TpmtPublic.hash(in, "signature.hash");
        TpmtSignature sig;
        if (scheme == SigScheme.ECDSA) {
            byte[] r = in.tpm2b("signature.signatureR", TpmtPublic.MAX_ECC_BYTES);
            byte[] s = in.tpm2b("signature.signatureS", TpmtPublic.MAX_ECC_BYTES);
            sig = new TpmtSignature(scheme, hash, new byte[0], r, s);
        } else {
            byte[] rsa = in.tpm2b("signature.sig", TpmtPublic.MAX_RSA_BYTES);
            sig = new TpmtSignature(scheme, hash, rsa, new byte[0], new byte[0]);
        }
        in.end();
        return sig;
    }

    /** The marshalled TPMT_SIGNATURE. */
    public byte[] encode() {
        TpmWriter w = new TpmWriter().u16(scheme.tcgId()).u16(hash.tcgId());
        if (scheme == SigScheme.ECDSA) {
            w.tpm2b(r).tpm2b(s);
        } else {
            w.tpm2b(rsaSig);
        }
        return w.toByteArray();
    }

    @Override
    public byte[] rsaSig() {
        return rsaSig.clone();
    }

    @Override
    public byte[] r() {
        return r.clone();
    }

    @Override
    public byte[] s() {
        return s.clone();
    }
}
