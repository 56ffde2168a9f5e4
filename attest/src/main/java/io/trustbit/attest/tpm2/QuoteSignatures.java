package io.trustbit.attest.tpm2;

import io.trustbit.measure.HashAlg;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.Provider;
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
     * An AK's public area with its JCA key built once, for a verifier that checks many quotes by the same
     * AK. The key is made from the public area here, so it cannot be another key than the AK's. With a
     * provider, the key is that provider's own key object and the signature is computed by that provider,
     * which lets it keep per-key precomputation between calls.
     */
    public static final class PreparedAk {
        private final TpmtPublic ak;
        private final PublicKey key;
        private final Provider provider;

        private PreparedAk(TpmtPublic ak, PublicKey key, Provider provider) {
            this.ak = ak;
            this.key = key;
            this.provider = provider;
        }

        public TpmtPublic ak() {
            return ak;
        }
    }

    /**
     * Builds {@code ak}'s JCA key once (ECC points must lie on the curve, RSA moduli must be of keyBits size).
     * {@code provider}, if not null, translates the key into its own key class and verifies with it.
     */
    public static PreparedAk prepare(TpmtPublic ak, Provider provider) throws GeneralSecurityException {
        PublicKey key = ak.toJcaPublicKey();
        if (provider != null) {
            if (!(KeyFactory.getInstance(key.getAlgorithm(), provider).translateKey(key) instanceof PublicKey own)) {
                throw new InvalidKeyException(provider.getName() + " did not translate the AK into a public key");
            }
            key = own;
        }
        return new PreparedAk(ak, key, provider);
    }

    /**
     * Returns normally only if {@code sig} is a valid signature over {@code attest} by {@code ak}
     * with the AK's scheme and hash.
     */
    public static void verify(TpmtPublic ak, byte[] attest, TpmtSignature sig) throws GeneralSecurityException {
        SigScheme akScheme = checkScheme(ak, sig);
        verifyWith(ak.toJcaPublicKey(), null, akScheme, ak.schemeHash().orElseThrow(), attest, sig);
    }

    /**
     * The same check as {@link #verify(TpmtPublic, byte[], TpmtSignature)} with a key prepared by
     * {@link #prepare}: scheme and hash must be exactly the AK's, then the signature must verify.
     */
    public static void verify(PreparedAk ak, byte[] attest, TpmtSignature sig) throws GeneralSecurityException {
        SigScheme akScheme = checkScheme(ak.ak, sig);
        verifyWith(ak.key, ak.provider, akScheme, ak.ak.schemeHash().orElseThrow(), attest, sig);
    }

    /** The AK's scheme, if {@code sig} uses exactly that scheme and the AK's hash; refused before any cryptography. */
    private static SigScheme checkScheme(TpmtPublic ak, TpmtSignature sig) throws SignatureException {
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
        return akScheme;
    }

    private static void verifyWith(PublicKey key, Provider provider, SigScheme akScheme, HashAlg akHash, byte[] attest,
            TpmtSignature sig) throws GeneralSecurityException {
        String hashName = akHash.jcaName().replace("-", "");
        boolean ok;
        switch (akScheme) {
            case ECDSA -> {
                Signature v = signature(hashName + "withECDSA", provider);
                v.initVerify(key);
                v.update(attest);
                ok = v.verify(derSignature(sig.r(), sig.s()));
            }
            case RSASSA -> {
                Signature v = signature(hashName + "withRSA", provider);
                v.initVerify(key);
                v.update(attest);
                ok = v.verify(sig.rsaSig());
            }
            case RSAPSS -> ok = verifyPss(key, provider, akHash, attest, sig.rsaSig());
            default -> throw new SignatureException("unsupported scheme " + akScheme);
        }
        if (!ok) {
            throw new SignatureException("quote signature does not verify under the AK");
        }
    }

    private static Signature signature(String algorithm, Provider provider) throws GeneralSecurityException {
        return provider == null ? Signature.getInstance(algorithm) : Signature.getInstance(algorithm, provider);
    }

    /**
     * TPMs sign RSAPSS with the salt as long as the digest (TPM 2.0 rev. 1.38 and later) or, in older
     * implementations, with the largest salt the key allows; both are valid PSS signatures.
     */
    private static boolean verifyPss(PublicKey key, Provider provider, HashAlg hash, byte[] data, byte[] sig)
            throws GeneralSecurityException {
        int keyBytes = (((RSAPublicKey) key).getModulus().bitLength() + 7) / 8;
        int[] saltLengths = {hash.size(), keyBytes - hash.size() - 2};
        for (int salt : saltLengths) {
            if (salt < 0) {
                continue;
            }
            Signature v = signature("RSASSA-PSS", provider);
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
