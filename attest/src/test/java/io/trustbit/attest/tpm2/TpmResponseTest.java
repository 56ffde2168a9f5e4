package io.trustbit.attest.tpm2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.measure.HashAlg;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * TPM responses built byte by byte (TPM 2.0 Part 1 §18.8–18.10, Part 3 per command): well-formed ones parse to
 * exactly their fields; truncated, overlong and lying ones fail with a {@link Tpm2FormatException} naming the
 * field, never another exception and never a partial result.
 */
class TpmResponseTest {
    private static final int ST_NO_SESSIONS = 0x8001;
    private static final int ST_SESSIONS = 0x8002;
    private static final PcrSelection SHA256_0_2 = PcrSelection.parse("sha256:0-2");

    /** header ‖ handles ‖ parameterSize ‖ parameters ‖ one password session's answer (empty nonce, attrs 1, empty hmac). */
    static byte[] withSessions(int[] handles, byte[] parameters) {
        Tpm2Bytes body = new Tpm2Bytes();
        for (int h : handles) {
            body.u32(h);                                   // response handle
        }
        body.u32(parameters.length)                        // parameterSize
                .raw(parameters)                           // parameters
                .u16(0).u8(1).u16(0);                      // TPMS_AUTH_RESPONSE: nonce, sessionAttributes, hmac
        return framed(ST_SESSIONS, body.bytes());
    }

    /** header ‖ parameters, no sessions (commands without authorization). */
    static byte[] noSessions(byte[] parameters) {
        return framed(ST_NO_SESSIONS, parameters);
    }

    static byte[] framed(int tag, byte[] rest) {
        return new Tpm2Bytes().u16(tag)                    // tag
                .u32(10 + rest.length)                     // responseSize
                .u32(0)                                    // responseCode: TPM_RC_SUCCESS
                .raw(rest).bytes();
    }

    static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) v);
        return b;
    }

    static byte[] readPublicResponse() {
        return noSessions(new Tpm2Bytes()
                .b(filled(90, 0x11))                       // outPublic TPM2B_PUBLIC
                .b(filled(34, 0x22))                       // name TPM2B_NAME
                .b(filled(34, 0x33))                       // qualifiedName TPM2B_NAME
                .bytes());
    }

    static byte[] nvReadResponse(int n) {
        return withSessions(new int[0], new Tpm2Bytes().b(filled(n, 0x5A)).bytes()); // data TPM2B_MAX_NV_BUFFER
    }

    static byte[] pcrReadResponse(int selectedBits, int digests, int digestSize) {
        Tpm2Bytes p = new Tpm2Bytes()
                .u32(7)                                    // pcrUpdateCounter
                .u32(1)                                    // pcrSelectionOut.count
                .u16(HashAlg.SHA256.tcgId())               // .hash
                .u8(3).u8(selectedBits).u8(0).u8(0)        // .sizeofSelect, .pcrSelect
                .u32(digests);                             // pcrValues.count
        for (int i = 0; i < digests; i++) {
            p.b(filled(digestSize, i + 1));                // pcrValues.digests[i]
        }
        return noSessions(p.bytes());
    }

    static byte[] quoteResponse() {
        return withSessions(new int[0], new Tpm2Bytes()
                .b(filled(120, 0x44))                      // quoted TPM2B_ATTEST
                .u16(0x0018).u16(0x000B)                   // TPMT_SIGNATURE: sigAlg ECDSA, hash SHA256
                .b(filled(32, 0x55)).b(filled(32, 0x66))   // signatureR, signatureS
                .bytes());
    }

    static byte[] createPrimaryResponse() {
        return withSessions(new int[] {0x80000001}, new Tpm2Bytes()
                .b(filled(88, 0x11))                       // outPublic
                .b(filled(40, 0x12))                       // creationData
                .b(filled(32, 0x13))                       // creationHash
                .u16(0x8021).u32(0x4000000B).b(filled(32, 0x14)) // creationTicket: tag, hierarchy, digest
                .b(filled(34, 0x15))                       // name
                .bytes());
    }

    static byte[] nvReadPublicResponse(int index, int dataSize) {
        byte[] nvPublic = new Tpm2Bytes()
                .u32(index)                                // nvIndex
                .u16(HashAlg.SHA256.tcgId())               // nameAlg
                .u32(0x00040004)                           // attributes
                .b(new byte[0])                            // authPolicy
                .u16(dataSize)                             // dataSize
                .bytes();
        return noSessions(new Tpm2Bytes().b(nvPublic).b(filled(34, 0x77)).bytes());
    }

    static byte[] propertiesResponse(int capability, int count, int entries) {
        Tpm2Bytes p = new Tpm2Bytes().u8(0)                // moreData NO
                .u32(capability)                           // capabilityData.capability
                .u32(count);                               // tpmProperty.count
        for (int i = 0; i < entries; i++) {
            p.u32(0x100 + i).u32(i);                       // property, value
        }
        return noSessions(p.bytes());
    }

    /** Each well-formed response with its parser. */
    interface Parser {
        Object parse(byte[] raw) throws Tpm2FormatException;
    }

    static Map<String, Map.Entry<byte[], Parser>> wellFormed() {
        Map<String, Map.Entry<byte[], Parser>> m = new LinkedHashMap<>();
        m.put("ReadPublic", Map.entry(readPublicResponse(), TpmResponse::readPublic));
        m.put("NV_Read", Map.entry(nvReadResponse(64), raw -> TpmResponse.nvRead(raw, 64)));
        m.put("NV_ReadPublic", Map.entry(nvReadPublicResponse(0x01C00002, 900), raw -> TpmResponse.nvDataSize(raw, 0x01C00002)));
        m.put("PCR_Read", Map.entry(pcrReadResponse(0b111, 3, 32), raw -> TpmResponse.pcrRead(raw, SHA256_0_2)));
        m.put("Quote", Map.entry(quoteResponse(), TpmResponse::quote));
        m.put("CreatePrimary", Map.entry(createPrimaryResponse(), TpmResponse::createPrimary));
        m.put("GetCapability", Map.entry(propertiesResponse(6, 2, 2), TpmResponse::properties));
        return m;
    }

    @Test
    void wellFormedResponsesParseToTheirFields() throws Exception {
        TpmResponse.PublicArea p = TpmResponse.readPublic(readPublicResponse());
        assertArrayEquals(filled(90, 0x11), p.publicArea());
        assertArrayEquals(filled(34, 0x22), p.name());
        assertArrayEquals(filled(34, 0x33), p.qualifiedName());
        assertArrayEquals(filled(64, 0x5A), TpmResponse.nvRead(nvReadResponse(64), 64));
        assertEquals(900, TpmResponse.nvDataSize(nvReadPublicResponse(0x01C00002, 900), 0x01C00002));
        TpmResponse.PcrRead r = TpmResponse.pcrRead(pcrReadResponse(0b111, 3, 32), SHA256_0_2);
        assertEquals(7, r.updateCounter());
        assertEquals(List.of(0, 1, 2), List.copyOf(r.values().get(HashAlg.SHA256).keySet()));
        assertArrayEquals(filled(32, 3), r.values().get(HashAlg.SHA256).get(2));
        TpmResponse.Quoted q = TpmResponse.quote(quoteResponse());
        assertArrayEquals(filled(120, 0x44), q.attest());
        assertEquals(4 + 34 + 34, q.signature().length);
        TpmResponse.Created c = TpmResponse.createPrimary(createPrimaryResponse());
        assertEquals(0x80000001, c.handle());
        assertArrayEquals(filled(88, 0x11), c.publicArea());
        assertEquals(Map.of(0x100, 0, 0x101, 1), TpmResponse.properties(propertiesResponse(6, 2, 2)));
        assertEquals(0x922, TpmResponse.header(new Tpm2Bytes().u16(ST_NO_SESSIONS).u32(10).u32(0x922).bytes()).responseCode());
    }

    /**
     * Every proper prefix of every well-formed response is refused, both as received (responseSize then disagrees)
     * and as a lying TPM would send it (responseSize rewritten to the shorter length), and so is one extra byte.
     */
    @Test
    void truncatedAndOverlongResponsesAreRefused() {
        List<String> failures = new ArrayList<>();
        wellFormed().forEach((name, e) -> {
            byte[] good = e.getKey();
            for (int len = 0; len < good.length; len++) {
                byte[] cut = Arrays.copyOf(good, len);
                expectRefused(name + " cut to " + len, cut, e.getValue(), failures);
                if (len >= 6) {
                    byte[] lying = cut.clone();
                    lying[2] = 0;
                    lying[3] = 0;
                    lying[4] = (byte) (len >>> 8);
                    lying[5] = (byte) len;
                    expectRefused(name + " cut to " + len + " with a consistent responseSize", lying, e.getValue(), failures);
                }
            }
            byte[] longer = Arrays.copyOf(good, good.length + 1);
            longer[5] = (byte) (longer[5] + 1);
            expectRefused(name + " with one trailing byte", longer, e.getValue(), failures);
        });
        assertTrue(failures.isEmpty(), failures.size() + " accepted:\n" + String.join("\n", failures));
    }

    private static void expectRefused(String what, byte[] raw, Parser parser, List<String> failures) {
        try {
            parser.parse(raw);
            failures.add(what + ": accepted");
        } catch (Tpm2FormatException expected) {
            // refused, naming the field
        } catch (RuntimeException e) {
            failures.add(what + ": " + e);
        }
    }

    /** Random byte changes and cuts: a response either parses or fails with Tpm2FormatException, nothing else. */
    @Test
    void randomMutationsOnlyEverThrowFormatException() {
        List<Map.Entry<byte[], Parser>> cases = new ArrayList<>(wellFormed().values());
        java.util.Random rnd = new java.util.Random(20261202);
        List<String> failures = new ArrayList<>();
        int parsed = 0;
        for (int i = 0; i < 20_000 && failures.size() < 10; i++) {
            Map.Entry<byte[], Parser> c = cases.get(rnd.nextInt(cases.size()));
            byte[] m = c.getKey().clone();
            for (int j = 1 + rnd.nextInt(3); j > 0; j--) {
                int at = rnd.nextInt(m.length);
                m[at] = rnd.nextInt(3) == 0 ? (byte) 0xFF : (byte) rnd.nextInt(256);
            }
            if (rnd.nextInt(8) == 0) {
                m = Arrays.copyOf(m, rnd.nextInt(m.length + 4));
            }
            try {
                c.getValue().parse(m);
                parsed++;
            } catch (Tpm2FormatException expected) {
                // the only exception allowed
            } catch (RuntimeException e) {
                failures.add(e + " for " + java.util.HexFormat.of().formatHex(m));
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertTrue(parsed > 0, "some mutations keep the response well-formed");
    }

    @Test
    void aShortNvReadIsRefused() {
        Tpm2FormatException e = assertThrows(Tpm2FormatException.class, () -> TpmResponse.nvRead(nvReadResponse(500), 512));
        assertEquals("TPM2_NV_Read.parameters.data.size at offset 0: short read: 500 bytes of the 512 asked for", e.getMessage());
    }

    @Test
    void pcrReadMustMatchItsSelectionAndTheQuestion() {
        Map<String, byte[]> lies = new LinkedHashMap<>();
        lies.put("pcrValues.count", pcrReadResponse(0b111, 2, 32));           // 3 PCRs selected, 2 digests
        lies.put("pcrValues.count ", pcrReadResponse(0b1, 3, 32));            // 1 PCR selected, 3 digests
        lies.put("pcrValues.digests[0].size", pcrReadResponse(0b111, 3, 20)); // SHA-1 sized values in the SHA-256 bank
        lies.put("was not asked for", pcrReadResponse(0b1000, 1, 32));        // PCR 3, asked 0-2
        lies.put("exceeds 8", pcrReadResponse(0b111, 9, 32));
        lies.forEach((problem, raw) -> {
            Tpm2FormatException e = assertThrows(Tpm2FormatException.class, () -> TpmResponse.pcrRead(raw, SHA256_0_2));
            assertTrue(e.getMessage().contains(problem.strip()), problem + ": " + e.getMessage());
        });
    }

    @Test
    void lyingSizesAndAnswersToOtherQuestionsAreRefused() {
        // parameterSize larger than what follows
        byte[] nv = nvReadResponse(64);
        nv[13] = (byte) 0xFF;
        assertThrows(Tpm2FormatException.class, () -> TpmResponse.nvRead(nv, 64));
        // a TPM2B size that overruns the parameters
        byte[] rp = readPublicResponse();
        rp[10] = 0x01;                                     // outPublic.size 0x015A: 346 bytes, 158 remain
        assertTrue(assertThrows(Tpm2FormatException.class, () -> TpmResponse.readPublic(rp)).getMessage()
                .startsWith("TPM2_ReadPublic.parameters.outPublic.buffer"));
        // NV_ReadPublic about another index; GetCapability about another capability; a count beyond the entries
        assertThrows(Tpm2FormatException.class, () -> TpmResponse.nvDataSize(nvReadPublicResponse(0x01C0000A, 900), 0x01C00002));
        assertThrows(Tpm2FormatException.class, () -> TpmResponse.properties(propertiesResponse(5, 2, 2)));
        assertThrows(Tpm2FormatException.class, () -> TpmResponse.properties(propertiesResponse(6, 0x7FFFFFFF, 2)));
        // not a TPM 2.0 response tag
        byte[] tag = readPublicResponse();
        tag[0] = 0x00;
        tag[1] = (byte) 0xC4;
        assertThrows(Tpm2FormatException.class, () -> TpmResponse.readPublic(tag));
        // an error response has no parameters
        byte[] error = new Tpm2Bytes().u16(ST_NO_SESSIONS).u32(10).u32(0x18B).bytes();
        assertTrue(assertThrows(Tpm2FormatException.class, () -> TpmResponse.readPublic(error)).getMessage().contains("0x18b"));
    }
}
