package io.trustbit.attest.tpm2;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Signatures made with the JDK, checked through the TPM structures (TPM-made quotes: QuoteCrossCheckTest). */
class QuoteSignaturesTest {
    static final byte[] ATTEST = Tpm2Bytes.attest(new byte[34], new byte[32], new byte[32]);

    static byte[][] ecdsaRs(byte[] der) {
        // SEQUENCE { INTEGER r, INTEGER s } with short lengths (P-256)
        int rl = der[3];
        byte[] r = Arrays.copyOfRange(der, 4, 4 + rl);
        int sl = der[5 + rl];
        byte[] s = Arrays.copyOfRange(der, 6 + rl, 6 + rl + sl);
        return new byte[][] {Tpm2Bytes.fixed(new BigInteger(1, r), 32), Tpm2Bytes.fixed(new BigInteger(1, s), 32)};
    }

    @Test
    void ecdsaSignatureVerifiesAndFlippedBitsFail() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        TpmtPublic ak = TpmtPublic.parse(Tpm2Bytes.eccAk((ECPublicKey) kp.getPublic(), KeyTemplates.AK_ATTRIBUTES, 0x0018, 0x000B));
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(kp.getPrivate());
        s.update(ATTEST);
        byte[][] rs = ecdsaRs(s.sign());
        byte[] sigBytes = new Tpm2Bytes().u16(0x0018).u16(0x000B).b(rs[0]).b(rs[1]).bytes();
        TpmtSignature sig = TpmtSignature.parse(sigBytes);
        assertDoesNotThrow(() -> QuoteSignatures.verify(ak, ATTEST, sig));

        byte[] flipped = ATTEST.clone();
        flipped[40] ^= 1;
        assertThrows(SignatureException.class, () -> QuoteSignatures.verify(ak, flipped, sig));

        // the same r,s labelled SHA-1: a downgrade, refused before verification
        byte[] downgraded = new Tpm2Bytes().u16(0x0018).u16(0x0004).b(rs[0]).b(rs[1]).bytes();
        SignatureException e = assertThrows(SignatureException.class,
                () -> QuoteSignatures.verify(ak, ATTEST, TpmtSignature.parse(downgraded)));
        assertTrue(e.getMessage().contains("not the AK's hash"), e.getMessage());

        // AK declared with SHA-384: a SHA-256 signature is refused
        TpmtPublic ak384 = TpmtPublic.parse(Tpm2Bytes.eccAk((ECPublicKey) kp.getPublic(), KeyTemplates.AK_ATTRIBUTES, 0x0018, 0x000C));
        assertThrows(SignatureException.class, () -> QuoteSignatures.verify(ak384, ATTEST, sig));
    }

    @Test
    void rsassaAndRsapssVerify() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair kp = g.generateKeyPair();
        RSAPublicKey pub = (RSAPublicKey) kp.getPublic();

        TpmtPublic ssaAk = TpmtPublic.parse(Tpm2Bytes.rsaAk(pub, KeyTemplates.AK_ATTRIBUTES, 0x0014, 0x000B));
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(kp.getPrivate());
        s.update(ATTEST);
        TpmtSignature ssa = TpmtSignature.parse(new Tpm2Bytes().u16(0x0014).u16(0x000B).b(s.sign()).bytes());
        assertDoesNotThrow(() -> QuoteSignatures.verify(ssaAk, ATTEST, ssa));

        TpmtPublic pssAk = TpmtPublic.parse(Tpm2Bytes.rsaAk(pub, KeyTemplates.AK_ATTRIBUTES, 0x0016, 0x000B));
        // an RSASSA signature under an RSAPSS AK: scheme mismatch
        assertThrows(SignatureException.class, () -> QuoteSignatures.verify(pssAk, ATTEST, ssa));
        for (int salt : new int[] {32, 256 - 32 - 2}) {
            Signature p = Signature.getInstance("RSASSA-PSS");
            p.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, salt, 1));
            p.initSign(kp.getPrivate());
            p.update(ATTEST);
            TpmtSignature pss = TpmtSignature.parse(new Tpm2Bytes().u16(0x0016).u16(0x000B).b(p.sign()).bytes());
            assertDoesNotThrow(() -> QuoteSignatures.verify(pssAk, ATTEST, pss));
            byte[] flipped = ATTEST.clone();
            flipped[0] ^= (byte) 0x80;
            assertThrows(SignatureException.class, () -> QuoteSignatures.verify(pssAk, flipped, pss));
        }
    }

    @Test
    void akAttributeCheck() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        ECPublicKey pub = (ECPublicKey) g.generateKeyPair().getPublic();
        assertDoesNotThrow(() -> AkAttributes.check(TpmtPublic.parse(Tpm2Bytes.eccAk(pub, KeyTemplates.AK_ATTRIBUTES, 0x0018, 0x000B))));
        int[] missing = {TpmaObject.FIXED_TPM, TpmaObject.FIXED_PARENT, TpmaObject.SENSITIVE_DATA_ORIGIN,
            TpmaObject.RESTRICTED, TpmaObject.SIGN_ENCRYPT};
        for (int bit : missing) {
            TpmtPublic weak = TpmtPublic.parse(Tpm2Bytes.eccAk(pub, KeyTemplates.AK_ATTRIBUTES & ~bit, 0x0018, 0x000B));
            assertThrows(AkAttributes.AkAttributeException.class, () -> AkAttributes.check(weak));
        }
        TpmtPublic decrypting = TpmtPublic.parse(Tpm2Bytes.eccAk(pub, KeyTemplates.AK_ATTRIBUTES | TpmaObject.DECRYPT, 0x0018, 0x000B));
        assertThrows(AkAttributes.AkAttributeException.class, () -> AkAttributes.check(decrypting));
        TpmtPublic noScheme = TpmtPublic.parse(new Tpm2Bytes().u16(0x0023).u16(0x000B).u32(KeyTemplates.AK_ATTRIBUTES)
                .b(new byte[0]).u16(0x0010).u16(0x0010).u16(0x0003).u16(0x0010)
                .b(Tpm2Bytes.fixed(pub.getW().getAffineX(), 32)).b(Tpm2Bytes.fixed(pub.getW().getAffineY(), 32)).bytes());
        assertThrows(AkAttributes.AkAttributeException.class, () -> AkAttributes.check(noScheme));
    }

    @Test
    void templatesHaveTheTcgAttributes() {
        org.junit.jupiter.api.Assertions.assertEquals(0x000300B2, KeyTemplates.ekRsa2048().objectAttributes());
        org.junit.jupiter.api.Assertions.assertEquals(0x000300B2, KeyTemplates.ekEccP256().objectAttributes());
        org.junit.jupiter.api.Assertions.assertEquals(0x00050072, KeyTemplates.akEccP256().objectAttributes());
    }
}
