package io.trustbit.attest.tpm2;

import io.trustbit.measure.HashAlg;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.MGF1ParameterSpec;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;

/**
 * TPM2_MakeCredential in software (TPM 2.0 Library Part 1 §24 "Credential Protection", Part 3 §12.6),
 * so a verifier can challenge a TPM without a TPM of its own. Only the TPM holding the EK's private
 * key, and holding a loaded object of the given Name, can recover the secret with
 * TPM2_ActivateCredential.
 *
 * <ol>
 * <li>seed: for an RSA EK a random nameAlg-sized value encrypted with RSA-OAEP (hash = EK nameAlg,
 *     label "IDENTITY\0", Part 1 §B.10.3); for an ECC EK an ephemeral ECDH on the EK's curve with
 *     seed = KDFe(nameAlg, Z, "IDENTITY", ephemeral.x, EK.x) and the ephemeral point as the
 *     encrypted secret (Part 1 §C.6.4);</li>
 * <li>symKey = KDFa(nameAlg, seed, "STORAGE", objectName, ∅, EK symmetric key bits); encIdentity =
 *     AES-CFB(symKey, IV 0, TPM2B_DIGEST(secret)) (Part 1 §24.4);</li>
 * <li>HMACkey = KDFa(nameAlg, seed, "INTEGRITY", ∅, ∅, digest bits); integrity =
 *     HMAC(HMACkey, encIdentity ‖ objectName) (Part 1 §24.5).</li>
 * </ol>
 */
public final class MakeCredential {
    /**
     * The challenge for the TPM.
     *
     * @param credentialBlob  contents of a TPM2B_ID_OBJECT (TPMS_ID_OBJECT, Part 2 §11.4.3):
     *                        TPM2B_DIGEST integrityHMAC ‖ encIdentity
     * @param encryptedSecret contents of a TPM2B_ENCRYPTED_SECRET (Part 2 §11.4.33)
     */
    public record Result(byte[] credentialBlob, byte[] encryptedSecret) {
        public Result {
            credentialBlob = credentialBlob.clone();
            encryptedSecret = encryptedSecret.clone();
        }

        @Override
        public byte[] credentialBlob() {
            return credentialBlob.clone();
        }

        @Override
        public byte[] encryptedSecret() {
            return encryptedSecret.clone();
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private MakeCredential() {
    }

    /** The two parts of a TPMS_ID_OBJECT (Part 2 §11.4.3). */
    public record IdObject(byte[] integrityHmac, byte[] encIdentity) {
    }

    /**
     * Splits the contents of a TPM2B_ID_OBJECT (as {@link #make} and TPM2_MakeCredential produce them, and as a
     * verifier sends them) into integrityHMAC TPM2B_DIGEST and encIdentity, the rest.
     */
    public static IdObject parseCredentialBlob(byte[] blob) throws Tpm2FormatException {
        TpmReader r = new TpmReader(blob, "TPMS_ID_OBJECT");
        byte[] hmac = r.tpm2b("integrityHMAC", TpmtPublic.MAX_DIGEST);
        return new IdObject(hmac, r.bytes("encIdentity", r.remaining()));
    }

    /**
     * Makes a credential for {@code secret} that {@code ek}'s TPM releases only to the object named
     * {@code objectName}. The EK must be a restricted decryption key with AES-CFB as its symmetric
     * algorithm (as the TCG EK templates are); the secret must be 1 … nameAlg digest size bytes.
     */
    public static Result make(TpmtPublic ek, byte[] objectName, byte[] secret) throws GeneralSecurityException {
        HashAlg nameAlg = ek.nameAlg();
        if (!ek.has(TpmaObject.RESTRICTED | TpmaObject.DECRYPT) || ek.has(TpmaObject.SIGN_ENCRYPT)) {
            throw new InvalidKeyException("EK is not a restricted decryption key");
        }
        TpmtPublic.SymDef sym = ek.symmetric();
        if (sym.algorithm() != AlgIds.AES || sym.mode() != AlgIds.CFB
                || (sym.keyBits() != 128 && sym.keyBits() != 192 && sym.keyBits() != 256)) {
            throw new InvalidKeyException("EK symmetric algorithm is not AES-CFB");
        }
        if (secret.length == 0 || secret.length > nameAlg.size()) {
            throw new IllegalArgumentException("secret must be 1.." + nameAlg.size() + " bytes, not " + secret.length);
        }
        if (objectName.length == 0 || objectName.length > TpmsAttest.MAX_NAME) {
            throw new IllegalArgumentException("object name of " + objectName.length + " bytes");
        }
        byte[] seed;
        byte[] encryptedSecret;
        if (ek.type() == KeyType.RSA) {
            seed = new byte[nameAlg.size()];
            RANDOM.nextBytes(seed);
            Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
            oaep.init(Cipher.ENCRYPT_MODE, ek.toJcaPublicKey(), new OAEPParameterSpec(nameAlg.jcaName(), "MGF1",
                    new MGF1ParameterSpec(nameAlg.jcaName()), new PSource.PSpecified("IDENTITY\0".getBytes(StandardCharsets.US_ASCII))));
            encryptedSecret = oaep.doFinal(seed);
        } else {
            EccCurve curve = ek.curve();
            ECPublicKey ekKey = (ECPublicKey) ek.toJcaPublicKey();
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(curve.parameterSpec(), RANDOM);
            KeyPair eph = gen.generateKeyPair();
            KeyAgreement ka = KeyAgreement.getInstance("ECDH");
            ka.init(eph.getPrivate());
            ka.doPhase(ekKey, true);
            byte[] z = ka.generateSecret();
            ECPublicKey ephPub = (ECPublicKey) eph.getPublic();
            byte[] ex = fixed(ephPub.getW().getAffineX(), curve.coordinateSize());
            byte[] ey = fixed(ephPub.getW().getAffineY(), curve.coordinateSize());
            seed = Kdf.kdfe(nameAlg, z, "IDENTITY", ex, ek.eccX(), nameAlg.size() * 8);
            java.util.Arrays.fill(z, (byte) 0);
            encryptedSecret = new TpmWriter().tpm2b(ex).tpm2b(ey).toByteArray();
        }
        byte[] symKey = Kdf.kdfa(nameAlg, seed, "STORAGE", objectName, new byte[0], sym.keyBits());
        Cipher cfb = Cipher.getInstance("AES/CFB/NoPadding");
        cfb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(symKey, "AES"), new IvParameterSpec(new byte[16]));
        byte[] encIdentity = cfb.doFinal(new TpmWriter().tpm2b(secret).toByteArray());
        byte[] hmacKey = Kdf.kdfa(nameAlg, seed, "INTEGRITY", new byte[0], new byte[0], nameAlg.size() * 8);
        String macName = "Hmac" + nameAlg.jcaName().replace("-", "");
        Mac mac = Mac.getInstance(macName);
        mac.init(new SecretKeySpec(hmacKey, macName));
        mac.update(encIdentity);
        mac.update(objectName);
        byte[] integrity = mac.doFinal();
        java.util.Arrays.fill(seed, (byte) 0);
        java.util.Arrays.fill(symKey, (byte) 0);
        java.util.Arrays.fill(hmacKey, (byte) 0);
        byte[] blob = new TpmWriter().tpm2b(integrity).bytes(encIdentity).toByteArray();
        return new Result(blob, encryptedSecret);
    }

    private static byte[] fixed(BigInteger v, int size) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[size];
        int n = Math.min(raw.length, size);
        System.arraycopy(raw, raw.length - n, out, size - n, n);
        return out;
    }
}
