package io.trustbit.attest.tpm2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.trustbit.measure.HashAlg;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ParsersHostileInputTest {

    interface Parser {
        Object parse(byte[] b) throws Tpm2FormatException;
    }

    static final byte[] NAME = new byte[34];
    static final byte[] NONCE = new byte[32];
    static final byte[] DIGEST = new byte[32];

    static {
        NAME[1] = 0x0B;
        Arrays.fill(NONCE, (byte) 0x5A);
        Arrays.fill(DIGEST, (byte) 0x33);
    }

    static byte[] attest() {
        return Tpm2Bytes.attest(NAME, NONCE, DIGEST);
    }

    static byte[] eccPublic() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return Tpm2Bytes.eccAk((ECPublicKey) g.generateKeyPair().getPublic(), KeyTemplates.AK_ATTRIBUTES, 0x0018, 0x000B);
    }

    static byte[] rsaPublic() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return Tpm2Bytes.rsaAk((RSAPublicKey) g.generateKeyPair().getPublic(), KeyTemplates.AK_ATTRIBUTES, 0x0014, 0x000B);
    }

    static byte[] ecdsaSig() {
        byte[] r = new byte[32];
        byte[] s = new byte[32];
        r[0] = 1;
        s[31] = 2;
        return new Tpm2Bytes().u16(0x0018).u16(0x000B).b(r).b(s).bytes();
    }

    @Test
    void attestFieldsParse() throws Exception {
        TpmsAttest a = TpmsAttest.parse(attest());
        assertEquals(TpmsAttest.TPM_GENERATED_VALUE, a.magic());
        assertEquals(TpmsAttest.TPM_ST_ATTEST_QUOTE, a.type());
        assertArrayEquals(NAME, a.qualifiedSigner());
        assertArrayEquals(NONCE, a.extraData());
        assertEquals(new ClockInfo(123456789L, 7, 2, true), a.clockInfo());
        assertEquals(0x2019_1023_0016_3636L, a.firmwareVersion());
        assertEquals("sha256:0-7,17-23+sha1:0", a.pcrSelect().toString());
        assertArrayEquals(DIGEST, a.pcrDigest());
    }

    @Test
    void truncationAtEveryByteFailsWithFormatException() throws Exception {
        List<String> failures = new ArrayList<>();
        truncate("TPMS_ATTEST", attest(), TpmsAttest::parse, failures);
        truncate("TPMT_PUBLIC ecc", eccPublic(), TpmtPublic::parse, failures);
        truncate("TPMT_PUBLIC rsa", rsaPublic(), TpmtPublic::parse, failures);
        truncate("TPMT_SIGNATURE", ecdsaSig(), TpmtSignature::parse, failures);
        truncate("TPML_PCR_SELECTION", PcrSelection.parse("sha256:0-7,17-23+sha1:0").toTpml(), PcrSelection::parseTpml, failures);
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    private static void truncate(String what, byte[] good, Parser p, List<String> failures) throws Tpm2FormatException {
        p.parse(good);
        for (int len = 0; len < good.length; len++) {
            try {
                p.parse(Arrays.copyOf(good, len));
                failures.add(what + " truncated to " + len + " parsed");
            } catch (Tpm2FormatException expected) {
                if (expected.offset() > len) {
                    failures.add(what + " truncated to " + len + ": offset " + expected.offset() + " beyond input");
                }
            }
        }
    }

    @Test
    void trailingBytesAreRejected() throws Exception {
        Parser[] parsers = {TpmsAttest::parse, TpmtPublic::parse, TpmtSignature::parse, PcrSelection::parseTpml};
        byte[][] goods = {attest(), eccPublic(), ecdsaSig(), PcrSelection.parse("sha256:0").toTpml()};
        for (int i = 0; i < parsers.length; i++) {
            byte[] longer = Arrays.copyOf(goods[i], goods[i].length + 1);
            Tpm2FormatException e = assertThrows(Tpm2FormatException.class, parsersAt(parsers, i, longer));
            assertTrue(e.getMessage().contains("1 trailing bytes"), e.getMessage());
            assertEquals(goods[i].length, e.offset());
        }
    }

    private static org.junit.jupiter.api.function.Executable parsersAt(Parser[] p, int i, byte[] b) {
        return () -> p[i].parse(b);
    }

    @Test
    void oversizedSizesAreRejectedBeforeReading() {
        // extraData.size = 0xFFFF: larger than TPM2B_DATA may be
        byte[] a = attest();
        int extraSizeAt = 4 + 2 + 2 + NAME.length;
        a[extraSizeAt] = (byte) 0xFF;
        a[extraSizeAt + 1] = (byte) 0xFF;
        Tpm2FormatException e = assertThrows(Tpm2FormatException.class, () -> TpmsAttest.parse(a));
        assertEquals("TPMS_ATTEST.extraData.size", e.field());
        assertEquals(extraSizeAt, e.offset());

        // pcrSelect.count = 0x7FFFFFFF
        byte[] sel = PcrSelection.parse("sha256:0").toTpml();
        sel[0] = 0x7F;
        e = assertThrows(Tpm2FormatException.class, () -> PcrSelection.parseTpml(sel));
        assertEquals("TPML_PCR_SELECTION.count", e.field());

        // sizeofSelect = 200
        byte[] sel2 = PcrSelection.parse("sha256:0").toTpml();
        sel2[6] = (byte) 200;
        e = assertThrows(Tpm2FormatException.class, () -> PcrSelection.parseTpml(sel2));
        assertEquals("TPML_PCR_SELECTION.pcrSelections[0].sizeofSelect", e.field());

        // RSA signature size 0x1000 (> 512)
        byte[] sig = new Tpm2Bytes().u16(0x0014).u16(0x000B).u16(0x1000).bytes();
        e = assertThrows(Tpm2FormatException.class, () -> TpmtSignature.parse(sig));
        assertEquals("TPMT_SIGNATURE.signature.sig.size", e.field());
        assertEquals(4, e.offset());
    }

    @Test
    void wrongMagicTypeAndValuesAreRejected() throws Exception {
        byte[] a = attest();
        a[0] = 0x00;                                   // magic
        assertEquals("TPMS_ATTEST.magic", assertThrows(Tpm2FormatException.class, () -> TpmsAttest.parse(a)).field());
        byte[] b = attest();
        b[5] = 0x17;                                   // type 0x8017 = TPM_ST_ATTEST_CERTIFY
        assertEquals("TPMS_ATTEST.type", assertThrows(Tpm2FormatException.class, () -> TpmsAttest.parse(b)).field());
        byte[] c = attest();
        c[4 + 2 + 2 + NAME.length + 2 + NONCE.length + 16] = 2;   // clockInfo.safe = 2
        assertEquals("TPMS_ATTEST.clockInfo.safe", assertThrows(Tpm2FormatException.class, () -> TpmsAttest.parse(c)).field());
        byte[] d = new Tpm2Bytes().u32(2).u16(0x000B).u8(3).raw(new byte[3]).u16(0x000B).u8(3).raw(new byte[3]).bytes();
        assertTrue(assertThrows(Tpm2FormatException.class, () -> PcrSelection.parseTpml(d)).getMessage().contains("twice"));
        byte[] e = ecdsaSig();
        e[1] = 0x10;                                   // sigAlg TPM_ALG_NULL
        assertEquals("TPMT_SIGNATURE.sigAlg", assertThrows(Tpm2FormatException.class, () -> TpmtSignature.parse(e)).field());
        byte[] f = eccPublic();
        f[1] = 0x08;                                   // type KEYEDHASH
        assertEquals("TPMT_PUBLIC.type", assertThrows(Tpm2FormatException.class, () -> TpmtPublic.parse(f)).field());
    }

    @Test
    void offCurvePointIsNotAKey() throws Exception {
        byte[] p = eccPublic();
        p[p.length - 1] ^= 1;                          // last byte of y
        TpmtPublic pub = TpmtPublic.parse(p);
        assertThrows(java.security.InvalidKeyException.class, pub::toJcaPublicKey);
    }

    @Test
    void randomMutationsOnlyEverThrowFormatException() throws Exception {
        Random rnd = new Random(20261125);
        Parser[] parsers = {TpmsAttest::parse, TpmtPublic::parse, TpmtSignature::parse, PcrSelection::parseTpml};
        byte[][] goods = {attest(), eccPublic(), ecdsaSig(), PcrSelection.parse("sha256:0-23+sha1:0").toTpml()};
        byte[] rsa = rsaPublic();
        int parsed = 0;
        for (int i = 0; i < 40_000; i++) {
            int k = rnd.nextInt(parsers.length + 1);
            byte[] m = (k == parsers.length ? rsa : goods[k]).clone();
            Parser p = k == parsers.length ? TpmtPublic::parse : parsers[k];
            int flips = 1 + rnd.nextInt(4);
            for (int j = 0; j < flips; j++) {
                int at = rnd.nextInt(m.length);
                m[at] = rnd.nextInt(3) == 0 ? (byte) 0xFF : (byte) rnd.nextInt(256);
            }
            if (rnd.nextInt(8) == 0) {
                m = Arrays.copyOf(m, rnd.nextInt(m.length + 4));
            }
            try {
                Object o = p.parse(m);
                parsed++;
                if (o instanceof TpmtPublic pub) {
                    pub.name();
                    try {
                        pub.toJcaPublicKey();
                    } catch (java.security.InvalidKeyException ok) {
                        // a well-formed structure may still hold an unusable key
                    }
                }
            } catch (Tpm2FormatException expected) {
                // the only exception allowed
            } catch (RuntimeException e) {
                fail("parser " + k + " threw " + e + " for " + java.util.HexFormat.of().formatHex(m), e);
            }
        }
        assertTrue(parsed > 0, "some mutations keep the structure well-formed");
    }

    @Test
    void selectionTextFormAndDigest() {
        PcrSelection s = PcrSelection.parse("sha256:0-2,4+sha1:7");
        assertEquals("sha256:0-2,4+sha1:7", s.toString());
        assertEquals(s, PcrSelection.parse(s.toString()));
        assertThrows(IllegalArgumentException.class, () -> PcrSelection.parse("md5:0"));
        assertThrows(IllegalArgumentException.class, () -> PcrSelection.parse("sha256:3-1"));
        assertThrows(IllegalArgumentException.class, () -> PcrSelection.parse("sha256:0+sha256:1"));
        java.util.Map<HashAlg, java.util.Map<Integer, byte[]>> v = new java.util.HashMap<>();
        v.put(HashAlg.SHA256, new java.util.HashMap<>());
        v.put(HashAlg.SHA1, new java.util.HashMap<>());
        for (int i : new int[] {0, 1, 2, 4}) {
            v.get(HashAlg.SHA256).put(i, new byte[32]);
        }
        v.get(HashAlg.SHA1).put(7, new byte[20]);
        byte[] expected = HashAlg.SHA256.digest(new byte[4 * 32 + 20]);
        assertArrayEquals(expected, s.digest(HashAlg.SHA256, v));
        v.get(HashAlg.SHA256).put(5, new byte[32]);   // supplied but not selected
        assertThrows(IllegalArgumentException.class, () -> s.digest(HashAlg.SHA256, v));
        v.get(HashAlg.SHA256).remove(5);
        v.get(HashAlg.SHA256).remove(4);               // selected but not supplied
        assertThrows(IllegalArgumentException.class, () -> s.digest(HashAlg.SHA256, v));
    }
}
