package io.trustbit.attest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.measure.HashAlg;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class EvidenceCodecTest {

    static Evidence sample() {
        SortedMap<Integer, byte[]> sha256 = new TreeMap<>();
        sha256.put(0, new byte[32]);
        sha256.put(17, filled(32, 0x11));
        Map<HashAlg, SortedMap<Integer, byte[]>> pcrs = new EnumMap<>(HashAlg.class);
        pcrs.put(HashAlg.SHA256, sha256);
        Map<EventLogKind, byte[]> logs = new EnumMap<>(EventLogKind.class);
        logs.put(EventLogKind.DRTM, new byte[] {1, 2, 3});
        return new Evidence(1, NodeId.of("node-1"), filled(32, 0xAB), new byte[] {0, 0x23}, new byte[] {(byte) 0xFF, 0x54},
                new byte[] {0, 0x18}, pcrs, logs, Instant.parse("2026-11-25T10:00:00Z"));
    }

    static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) v);
        return b;
    }

    static String good() {
        return new String(EvidenceCodec.toJson(sample()), StandardCharsets.UTF_8);
    }

    @Test
    void roundTrip() throws Exception {
        String json = good();
        assertEquals("{\"version\":1,\"nodeId\":\"node-1\",\"nonce\":\"" + "ab".repeat(32) + "\",\"akPublic\":\"ACM=\","
                + "\"quote\":{\"attest\":\"/1Q=\",\"signature\":\"ABg=\"},\"pcrs\":{\"sha256\":{\"0\":\"" + "00".repeat(32)
                + "\",\"17\":\"" + "11".repeat(32) + "\"}},\"eventLogs\":{\"drtm\":\"AQID\"},\"producedAt\":\"2026-11-25T10:00:00Z\"}",
                json);
        Evidence e = EvidenceCodec.parse(json.getBytes(StandardCharsets.UTF_8));
        assertEquals(NodeId.of("node-1"), e.node());
        assertArrayEquals(filled(32, 0x11), e.pcrs().get(HashAlg.SHA256).get(17));
        assertArrayEquals(new byte[] {1, 2, 3}, e.eventLogs().get(EventLogKind.DRTM));
        assertArrayEquals(EvidenceCodec.toJson(sample()), EvidenceCodec.toJson(e));
    }

    /** The hand-written writer against Jackson's, field for field, with every optional part present. */
    @Test
    void writesWhatJacksonWrites() throws Exception {
        Map<HashAlg, SortedMap<Integer, byte[]>> pcrs = new EnumMap<>(HashAlg.class);
        pcrs.put(HashAlg.SHA384, new TreeMap<>(Map.of(23, filled(48, 0x38))));
        pcrs.put(HashAlg.SHA1, new TreeMap<>(Map.of(10, filled(20, 0x01), 2, filled(20, 0x02))));
        Map<EventLogKind, byte[]> logs = new EnumMap<>(EventLogKind.class);
        logs.put(EventLogKind.UEFI, filled(100, 0xFB));
        logs.put(EventLogKind.DRTM, new byte[] {1, 2, 3, 4});
        Evidence e = new Evidence(1, NodeId.of("Node_9.a-b"), filled(8, 0x5A), filled(70, 0x3E), filled(3, 0xFF),
                new byte[0], pcrs, logs, Instant.parse("2026-12-02T15:00:01Z"), new ImaTail(12, 3456, "x\"y".getBytes(StandardCharsets.UTF_8)));

        com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
        java.util.HexFormat hex = java.util.HexFormat.of();
        var root = m.createObjectNode();
        root.put("version", 1).put("nodeId", "Node_9.a-b").put("nonce", hex.formatHex(filled(8, 0x5A)))
                .put("akPublic", b64.encodeToString(filled(70, 0x3E)));
        root.putObject("quote").put("attest", b64.encodeToString(filled(3, 0xFF))).put("signature", "");
        var banks = root.putObject("pcrs");
        banks.putObject("sha1").put("2", hex.formatHex(filled(20, 0x02))).put("10", hex.formatHex(filled(20, 0x01)));
        banks.putObject("sha384").put("23", hex.formatHex(filled(48, 0x38)));
        root.putObject("eventLogs").put("drtm", "AQIDBA==").put("uefi", b64.encodeToString(filled(100, 0xFB)));
        root.put("producedAt", "2026-12-02T15:00:01Z");
        root.putObject("ima").put("firstEntry", 12L).put("byteOffset", 3456L).put("log", b64.encodeToString("x\"y".getBytes(StandardCharsets.UTF_8)));

        byte[] json = EvidenceCodec.toJson(e);
        assertEquals(m.writeValueAsString(root), new String(json, StandardCharsets.UTF_8));
        assertArrayEquals(json, EvidenceCodec.toJson(EvidenceCodec.parse(json)));
    }

    @Test
    void malformedEvidenceIsRejectedNamingTheField() {
        String g = good();
        String[][] cases = {
            // {case id, json, expected text in message}
            {"not json", "{", "not valid JSON"},
            {"array", "[]", "must be a JSON object"},
            {"trailing", g + "{}", "Trailing token"},
            {"unknown field", g.replace("\"version\":1,", "\"version\":1,\"trusted\":true,"), "trusted is not a known field"},
            {"duplicate field", g.replace("\"version\":1,", "\"version\":1,\"version\":1,"), "not valid JSON"},
            {"version 2", g.replace("\"version\":1", "\"version\":2"), "version"},
            {"version string", g.replace("\"version\":1", "\"version\":\"1\""), "version"},
            {"bad node id", g.replace("node-1", "../etc"), "nodeId"},
            {"odd hex nonce", g.replace("\"nonce\":\"ab", "\"nonce\":\"a"), "nonce"},
            {"non-hex nonce", g.replace("\"nonce\":\"ab", "\"nonce\":\"zz"), "nonce"},
            {"short nonce", g.replace("ab".repeat(32), "abab"), "nonce"},
            {"bad base64", g.replace("\"ACM=\"", "\"AC*=\""), "akPublic"},
            {"unpadded base64", g.replace("\"ACM=\"", "\"ACM\""), "akPublic"},
            {"quote extra field", g.replace("\"quote\":{", "\"quote\":{\"x\":\"\","), "quote.x"},
            {"quote missing signature", g.replace(",\"signature\":\"ABg=\"", ""), "quote.signature is required"},
            {"unknown bank", g.replace("\"sha256\":{", "\"md5\":{"), "pcrs.md5"},
            {"upper-case bank", g.replace("\"sha256\":{", "\"SHA256\":{"), "pcrs.SHA256"},
            {"pcr index leading zero", g.replace("\"17\":", "\"017\":"), "pcrs.sha256.017"},
            {"pcr index too big", g.replace("\"17\":", "\"256\":"), "pcrs.sha256.256"},
            {"pcr value short", g.replace("\"" + "11".repeat(32) + "\"", "\"1111\""), "pcrs.sha256.17"},
            {"pcr value number", g.replace("\"" + "11".repeat(32) + "\"", "17"), "pcrs.sha256.17"},
            {"unknown log", g.replace("\"drtm\"", "\"ima\""), "eventLogs.ima"},
            {"local time", g.replace("10:00:00Z", "10:00:00+01:00"), "producedAt"},
            {"missing producedAt", g.replace(",\"producedAt\":\"2026-11-25T10:00:00Z\"", ""), "producedAt is required"},
            {"deep nesting", g.replace("\"drtm\":\"AQID\"", "\"drtm\":" + "[".repeat(50) + "]".repeat(50)), "JSON"},
        };
        List<String> failures = new ArrayList<>();
        for (String[] c : cases) {
            try {
                EvidenceCodec.parse(c[1].getBytes(StandardCharsets.UTF_8));
                failures.add(c[0] + ": accepted");
            } catch (EvidenceFormatException e) {
                if (!e.getMessage().contains(c[2])) {
                    failures.add(c[0] + ": message '" + e.getMessage() + "' lacks '" + c[2] + "'");
                }
            } catch (RuntimeException e) {
                failures.add(c[0] + ": threw " + e);
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void oversizedInputsAreRejected() {
        byte[] huge = new byte[EvidenceCodec.MAX_JSON_BYTES + 1];
        assertThrows(EvidenceFormatException.class, () -> EvidenceCodec.parse(huge));
        String bigLog = "A".repeat((EvidenceCodec.MAX_EVENT_LOG_BYTES / 3 + 4) * 4);
        String json = good().replace("\"AQID\"", "\"" + bigLog + "\"");
        EvidenceFormatException e = assertThrows(EvidenceFormatException.class,
                () -> EvidenceCodec.parse(json.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("eventLogs.drtm exceeds"), e.getMessage());
    }
}
