package io.trustbit.attest.tpm2;

import io.trustbit.measure.HashAlg;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;

/**
 * Verifies a TPM signature over a TPMS_ATTEST with an attestation key's public area. The signature's
 * scheme and hash must be exactly the AK's own (TPMT_PUBLIC.parameters.scheme): a restricted signing
 * key with a scheme can sign with nothing else (Part 1 §25.4), so any other scheme or a weaker hash
 * is a forgery or a downgrade and is refused before any cryptography runs.
 */
public final class QuoteSignatures {
    private QuoteSignatures() {
    }

    /**
     * Returns normally only if {@code sig} is a valid signature over {@code attest} by {@code ak}
     * with the AK's scheme and hash.
     */
    public static void verify(TpmtPublic ak, byte[] attest, TpmtSignature sig) throws GeneralSecurityException {
        SigScheme akScheme = ak.signingScheme()
                .orElseThrow(() -> new SignatureException(String.format("AK has no signing scheme (scheme 0x%04x)", ak.schemeAlg())));
        HashAlg akHash = ak.schemeHash().orElseThrow(() -> new SignatureException("AK scheme has no hash"));
        if (akScheme.keyType() != ak.type()) {
            throw new SignatureException("AK scheme " + akScheme + " does not fit a " + ak.type() + " key");
        }
        if (sig.scheme() != akScheme) {
            throw new SignatureException("signature scheme " + sig.scheme() + " is not the AK's scheme " + akScheme);
        }
        if (sig.hash() != akHash) {
            throw new SignatureException("signature hash " + sig.hash().bankName() + " is not the AK's hash " + akHash.bankName());
        }
        PublicKey key = ak.toJcaPublicKey();
        String hashName = akHash.jcaName().replace("-", "");
        boolean ok;
        switch (akScheme) {
            case ECDSA -> {
                Signature v = Signature.getInstance(hashName + "withECDSA");
                v.initVerify(key);
                v.update(attest);
                ok = v.verify(derSignature(sig.r(), sig.s()));
            }
            case RSASSA -> {
                Signature v = Signature.getInstance(hashName + "withRSA");
                v.initVerify(key);
                v.update(attest);
                ok = v.verify(sig.rsaSig());
            }
            case RSAPSS -> ok = verifyPss(key, akHash, attest, sig.rsaSig());
            default -> throw new SignatureException("unsupported scheme " + akScheme);
        }
        if (!ok) {
            throw new SignatureException("quote signature does not verify under the AK");
        }
    }

    /**
     * TPMs sign RSAPSS with the salt as long as the digest (TPM 2.0 rev. 1.38 and later) or, in older
     * implementations, with the largest salt the key allows; both are valid PSS signatures.
     */
    private static boolean verifyPss(PublicKey key, HashAlg hash, byte[] data, byte[] sig) throws GeneralSecurityException {
        int keyBytes = (((RSAPublicKey) key).getModulus().bitLength() + 7) / 8;
        int[] saltLengths = {hash.size(), keyBytes - hash.size() - 2};
        for (int salt : saltLengths) {
            if (salt < 0) {
                continue;
            }
            Signature v = Signature.getInstance("RSASSA-PSS");
            v.setParameter(new PSSParameterSpec(hash.jcaName(), "MGF1", new MGF1ParameterSpec(hash.jcaName()), salt, 1));
            v.initVerify(key);
            v.update(data);
            if (v.verify(sig)) {
                return true;
            }
        }
        return false;
    }

    /** DER SEQUENCE { INTEGER r, INTEGER s } for the JCA; zero or empty values never verify. */
    static byte[] derSignature(byte[] r, byte[] s) throws SignatureException {
        if (r.length == 0 || s.length == 0) {
            throw new SignatureException("ECDSA signature has an empty r or s");
        }
        byte[] ri = new BigInteger(1, r).toByteArray();
        byte[] si = new BigInteger(1, s).toByteArray();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        derInteger(body, ri);
        derInteger(body, si);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x30);
        derLength(out, body.size());
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static void derInteger(ByteArrayOutputStream out, byte[] twosComplement) {
        out.write(0x02);
        derLength(out, twosComplement.length);
        out.writeBytes(twosComplement);
    }

    private static void derLength(ByteArrayOutputStream out, int len) {
        if (len < 0x80) {
            out.write(len);
        } else if (len < 0x100) {
            out.write(0x81);
            out.write(len);
        } else {
            out.write(0x82);
            out.write(len >>> 8);
            out.write(len);
        }
    }
}
