package io.trustbit.verifier;

import io.trustbit.attest.tpm2.KeyTemplates;
import io.trustbit.attest.tpm2.Kdf;
import io.trustbit.attest.tpm2.PcrSelection;
import io.trustbit.attest.tpm2.Tpm2FormatException;
import io.trustbit.attest.tpm2.TpmaObject;
import io.trustbit.attest.tpm2.TpmtPublic;
import io.trustbit.measure.HashAlg;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A software stand-in for a TPM's keys, for tests and the load generator: an ECC P-256 EK and AK in
 * TPMT_PUBLIC form, TPM2_ActivateCredential for an ECC EK, and quotes whose TPMS_ATTEST and
 * TPMT_SIGNATURE are built byte by byte (TPM 2.0 Part 2 §10.12.12, §11.3.4) so tests can break any field.
 */
public final class SoftTpm {
    public final KeyPair ek = p256();
    public final KeyPair ak = p256();
    /** The AK private key as a Bouncy Castle key: signing many quotes (the load generator) stays cheap. */
    private final PrivateKey akSigningKey = io.trustbit.verifier.internal.FastEcdsa.bcPrivateKey(ak.getPrivate());
    public int akAttributes = KeyTemplates.AK_ATTRIBUTES;
    public long resetCount = 3;
    public long restartCount = 0;
    public long clock = 1_000_000;

    static KeyPair p256() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] coord(BigInteger v) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[32];
        int n = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - n, out, 32 - n, n);
        return out;
    }

    /** A template's TPMT_PUBLIC with its empty unique field (two empty TPM2Bs) replaced by the key's point. */
    static byte[] withPoint(byte[] template, int emptyUniqueBytes, ECPublicKey key) {
        Bytes b = new Bytes().raw(Arrays.copyOf(template, template.length - emptyUniqueBytes));
        return b.tpm2b(coord(key.getW().getAffineX())).tpm2b(coord(key.getW().getAffineY())).toByteArray();
    }

    public byte[] ekPublic() {
        return withPoint(KeyTemplates.ekEccP256().encoded(), 68, (ECPublicKey) ek.getPublic());
    }

    public byte[] akPublic() {
        byte[] t = withPoint(KeyTemplates.akEccP256().encoded(), 4, (ECPublicKey) ak.getPublic());
        // objectAttributes at offset 4 (type u16, nameAlg u16)
        ByteBuffer.wrap(t).putInt(4, akAttributes);
        return t;
    }

    public byte[] akName() {
        try {
            return TpmtPublic.parse(akPublic()).name();
        } catch (Tpm2FormatException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The AK's Qualified Name as a child of the EK, what a TPM puts into qualifiedSigner. */
    public byte[] qualifiedName() {
        try {
            return io.trustbit.verifier.internal.QualifiedNames.akUnderEk(TpmtPublic.parse(ekPublic()), TpmtPublic.parse(akPublic()));
        } catch (Tpm2FormatException e) {
            throw new IllegalStateException(e);
        }
    }

    /** TPM2_ActivateCredential with the ECC EK (Part 1 §24, §C.6.4): recovers the secret. */
    public byte[] activate(byte[] credentialBlob, byte[] encryptedSecret) throws GeneralSecurityException {
        ByteBuffer es = ByteBuffer.wrap(encryptedSecret);
        byte[] x = new byte[es.getShort() & 0xFFFF];
        es.get(x);
        byte[] y = new byte[es.getShort() & 0xFFFF];
        es.get(y);
        ECPublicKey ekPub = (ECPublicKey) ek.getPublic();
        ECPublicKey eph = (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(
                new ECPublicKeySpec(new ECPoint(new BigInteger(1, x), new BigInteger(1, y)), ekPub.getParams()));
        KeyAgreement ka = KeyAgreement.getInstance("ECDH");
        ka.init(ek.getPrivate());
        ka.doPhase(eph, true);
        byte[] z = ka.generateSecret();
        byte[] seed = Kdf.kdfe(HashAlg.SHA256, z, "IDENTITY", x, coord(ekPub.getW().getAffineX()), 256);
        byte[] symKey = Kdf.kdfa(HashAlg.SHA256, seed, "STORAGE", akName(), new byte[0], 128);
        byte[] hmacKey = Kdf.kdfa(HashAlg.SHA256, seed, "INTEGRITY", new byte[0], new byte[0], 256);
        ByteBuffer blob = ByteBuffer.wrap(credentialBlob);
        byte[] integrity = new byte[blob.getShort() & 0xFFFF];
        blob.get(integrity);
        byte[] encIdentity = new byte[blob.remaining()];
        blob.get(encIdentity);
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(hmacKey, "HmacSHA256"));
        mac.update(encIdentity);
        mac.update(akName());
        if (!MessageDigest.isEqual(mac.doFinal(), integrity)) {
            throw new GeneralSecurityException("credential integrity check failed");
        }
        Cipher c = Cipher.getInstance("AES/CFB/NoPadding");
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(symKey, "AES"), new IvParameterSpec(new byte[16]));
        ByteBuffer plain = ByteBuffer.wrap(c.doFinal(encIdentity));
        byte[] secret = new byte[plain.getShort() & 0xFFFF];
        plain.get(secret);
        return secret;
    }

    /** Every field of a quote, each one changeable by a test. */
    public final class Quote {
        public int magic = 0xFF544347;
        public int type = 0x8018;
        public byte[] qualifiedSigner = qualifiedName();
        public byte[] extraData;
        public long clockValue = clock;
        public long reset = resetCount;
        public long restart = restartCount;
        public int safe = 1;
        public long firmwareVersion = 0x2023_0101L;
        public PcrSelection selection;
        public byte[] pcrDigest;
        public PrivateKey signingKey = akSigningKey;
        public HashAlg signatureHash = HashAlg.SHA256;

        public Quote(byte[] nonce, PcrSelection selection, Map<HashAlg, ? extends Map<Integer, byte[]>> values) {
            this.extraData = nonce.clone();
            this.selection = selection;
            this.pcrDigest = selection.digest(HashAlg.SHA256, values);
        }

        /** TPMS_ATTEST, Part 2 §10.12.12, with TPMS_QUOTE_INFO (§10.12.4). */
        public byte[] attest() {
            return new Bytes()
                    .u32(magic)                       // magic: TPM_GENERATED_VALUE
                    .u16(type)                        // type: TPM_ST_ATTEST_QUOTE
                    .tpm2b(qualifiedSigner)           // qualifiedSigner: TPM2B_NAME
                    .tpm2b(extraData)                 // extraData: TPM2B_DATA
                    .u64(clockValue)                  // clockInfo.clock
                    .u32((int) reset)                 // clockInfo.resetCount
                    .u32((int) restart)               // clockInfo.restartCount
                    .u8(safe)                         // clockInfo.safe
                    .u64(firmwareVersion)             // firmwareVersion
                    .raw(selection.toTpml())          // attested.quote.pcrSelect: TPML_PCR_SELECTION
                    .tpm2b(pcrDigest)                 // attested.quote.pcrDigest: TPM2B_DIGEST
                    .toByteArray();
        }

        /** TPMT_SIGNATURE (Part 2 §11.3.4): sigAlg ECDSA, hash, TPMS_SIGNATURE_ECDSA {r, s}. */
        public byte[] signature(byte[] attest) {
            try {
                Signature s = Signature.getInstance(signatureHash.jcaName().replace("-", "") + "withPLAIN-ECDSA",
                        io.trustbit.verifier.internal.FastEcdsa.BC);
                s.initSign(signingKey);
                s.update(attest);
                byte[] rs = s.sign();
                return new Bytes().u16(0x0018).u16(signatureHash.tcgId())
                        .tpm2b(Arrays.copyOfRange(rs, 0, 32)).tpm2b(Arrays.copyOfRange(rs, 32, 64)).toByteArray();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    public static PcrSelection sha256(List<Integer> pcrs) {
        return PcrSelection.of(List.of(new PcrSelection.Bank(HashAlg.SHA256, new java.util.TreeSet<>(pcrs))));
    }

    /** Big-endian TPM marshalling for the tests. */
    public static final class Bytes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        public Bytes u8(int v) {
            out.write(v);
            return this;
        }

        public Bytes u16(int v) {
            out.write(v >>> 8);
            out.write(v);
            return this;
        }

        public Bytes u32(int v) {
            return u16(v >>> 16).u16(v);
        }

        public Bytes u64(long v) {
            return u32((int) (v >>> 32)).u32((int) v);
        }

        public Bytes raw(byte[] b) {
            out.write(b, 0, b.length);
            return this;
        }

        public Bytes tpm2b(byte[] b) {
            return u16(b.length).raw(b);
        }

        public byte[] toByteArray() {
            return out.toByteArray();
        }
    }

    static int attrs(int... bits) {
        int a = 0;
        for (int b : bits) {
            a |= b;
        }
        return a;
    }

    static final int FIXED_TPM = TpmaObject.FIXED_TPM;
}
