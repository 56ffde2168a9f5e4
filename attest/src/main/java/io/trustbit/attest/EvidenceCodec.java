package io.trustbit.attest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.trustbit.measure.HashAlg;
import io.trustbit.measure.PcrBanksJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The strict JSON form of {@link Evidence} (docs/formats.md "Evidence"). Parsing accepts exactly the
 * documented fields — unknown or duplicate fields, wrong types, bad base64 or hex, and anything over
 * a size limit are errors naming the field. Writing is deterministic (fixed field order, PCRs ascending).
 */
public final class EvidenceCodec {
    /** Largest Evidence document accepted. */
    public static final int MAX_JSON_BYTES = 4 * 1024 * 1024;
    /** Largest decoded event log, per log. */
    public static final int MAX_EVENT_LOG_BYTES = 1024 * 1024;
    /** Largest decoded IMA measurement list (or tail of one) in one Evidence. */
    public static final int MAX_IMA_LOG_BYTES = 2 * 1024 * 1024;
    /** Largest IMA entry index or byte offset accepted. */
    public static final long MAX_IMA_POSITION = 999_999_999_999L;
    /** Largest decoded TPMT_PUBLIC, TPMS_ATTEST or TPMT_SIGNATURE. */
    public static final int MAX_TPM_STRUCTURE_BYTES = 4096;
    /** Nonce length limits in bytes. */
    public static final int MIN_NONCE_BYTES = 8;
    public static final int MAX_NONCE_BYTES = 64;
    /** Largest PCR index accepted (a TPML_PCR_SELECTION can name at most 256). */
    public static final int MAX_PCR_INDEX = 255;

    private static final Pattern HEX = Pattern.compile("(?:[0-9a-fA-F]{2})+");
    private static final Pattern PCR_INDEX = Pattern.compile("0|[1-9][0-9]{0,2}");
    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]*={0,2}");

    /** The parser's settings, in a holder so that writing (the CLI's quote) never loads Jackson. */
    private static final class Strict {
        static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                        .streamReadConstraints(StreamReadConstraints.builder()
                                .maxNestingDepth(8)
                                .maxStringLength(MAX_JSON_BYTES)
                                .maxNumberLength(12)
                                .build())
                        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                        .build())
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    private EvidenceCodec() {
    }

    /** Parses untrusted Evidence JSON; each event log may hold up to {@link #MAX_EVENT_LOG_BYTES}. */
    public static Evidence parse(byte[] json) throws EvidenceFormatException {
        return parse(json, MAX_EVENT_LOG_BYTES);
    }

    /**
     * Parses untrusted Evidence JSON whose event logs may each hold up to {@code maxEventLogBytes} (still within
     * {@link #MAX_JSON_BYTES} in all): for a verifier that judges a log's size itself, as part of the log's check.
     */
    public static Evidence parse(byte[] json, int maxEventLogBytes) throws EvidenceFormatException {
        if (json.length > MAX_JSON_BYTES) {
            throw new EvidenceFormatException("evidence of " + json.length + " bytes exceeds " + MAX_JSON_BYTES);
        }
        JsonNode root;
        try (JsonParser p = Strict.MAPPER.createParser(json)) {
            root = Strict.MAPPER.readTree(p);
            if (p.nextToken() != null) {
                throw new EvidenceFormatException("trailing content after the evidence object");
            }
        } catch (JsonProcessingException e) {
            throw new EvidenceFormatException("evidence is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new EvidenceFormatException("evidence unreadable: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new EvidenceFormatException("evidence must be a JSON object");
        }
        fields(root, "", Set.of("version", "nodeId", "nonce", "akPublic", "quote", "pcrs", "producedAt"),
                Set.of("version", "nodeId", "nonce", "akPublic", "quote", "pcrs", "eventLogs", "producedAt", "ima"));
        JsonNode v = root.get("version");
        if (!v.isInt() || v.intValue() != Evidence.VERSION) {
            throw new EvidenceFormatException("version must be the number " + Evidence.VERSION);
        }
        String nodeIdText = text(root, "nodeId");
        if (!NodeId.isValid(nodeIdText)) {
            throw new EvidenceFormatException("nodeId must be " + NodeId.RULE);
        }
        NodeId nodeId = NodeId.of(nodeIdText);
        byte[] nonce = hex(text(root, "nonce"), "nonce");
        if (nonce.length < MIN_NONCE_BYTES || nonce.length > MAX_NONCE_BYTES) {
            throw new EvidenceFormatException("nonce must be " + MIN_NONCE_BYTES + ".." + MAX_NONCE_BYTES + " bytes");
        }
        byte[] ak = base64(text(root, "akPublic"), "akPublic", MAX_TPM_STRUCTURE_BYTES);
        JsonNode quote = object(root, "quote");
        fields(quote, "quote.", Set.of("attest", "signature"), Set.of("attest", "signature"));
        byte[] attest = base64(text(quote, "attest"), "quote.attest", MAX_TPM_STRUCTURE_BYTES);
        byte[] signature = base64(text(quote, "signature"), "quote.signature", MAX_TPM_STRUCTURE_BYTES);
        Map<HashAlg, SortedMap<Integer, byte[]>> pcrs = pcrs(object(root, "pcrs"));
        Map<EventLogKind, byte[]> logs = new EnumMap<>(EventLogKind.class);
        if (root.has("eventLogs")) {
            JsonNode el = object(root, "eventLogs");
            for (Map.Entry<String, JsonNode> e : el.properties()) {
                EventLogKind kind = EventLogKind.fromJsonKey(e.getKey())
                        .orElseThrow(() -> new EvidenceFormatException("eventLogs." + e.getKey() + " is not a known field"));
                logs.put(kind, base64(text(el, e.getKey()), "eventLogs." + e.getKey(), maxEventLogBytes));
            }
        }
        String at = text(root, "producedAt");
        Instant producedAt;
        try {
            if (!at.endsWith("Z")) {
                throw new DateTimeParseException("not UTC", at, 0);
            }
            producedAt = Instant.parse(at);
        } catch (DateTimeParseException e) {
            throw new EvidenceFormatException("producedAt must be an ISO-8601 UTC time such as 2026-11-25T10:00:00Z");
        }
        ImaTail ima = root.has("ima") ? ima(object(root, "ima")) : null;
        return new Evidence(Evidence.VERSION, nodeId, nonce, ak, attest, signature, pcrs, logs, producedAt, ima);
    }

    /** {@code "ima": {"firstEntry": N, "byteOffset": B, "log": base64}}, both positions 0 or both positive. */
    private static ImaTail ima(JsonNode node) throws EvidenceFormatException {
        fields(node, "ima.", Set.of("firstEntry", "byteOffset", "log"), Set.of("firstEntry", "byteOffset", "log"));
        long first = position(node, "firstEntry");
        long offset = position(node, "byteOffset");
        if ((first == 0) != (offset == 0)) {
            throw new EvidenceFormatException("ima.firstEntry and ima.byteOffset must both be 0 or both positive");
        }
        return new ImaTail(first, offset, base64(text(node, "log"), "ima.log", MAX_IMA_LOG_BYTES));
    }

    private static long position(JsonNode node, String field) throws EvidenceFormatException {
        JsonNode n = node.get(field);
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0 || n.longValue() > MAX_IMA_POSITION) {
            throw new EvidenceFormatException("ima." + field + " must be an integer 0.." + MAX_IMA_POSITION);
        }
        return n.longValue();
    }

    private static Map<HashAlg, SortedMap<Integer, byte[]>> pcrs(JsonNode node) throws EvidenceFormatException {
        Map<HashAlg, SortedMap<Integer, byte[]>> out = new EnumMap<>(HashAlg.class);
        for (Map.Entry<String, JsonNode> bankEntry : node.properties()) {
            String bankName = bankEntry.getKey();
            HashAlg alg = HashAlg.fromBankName(bankName)
                    .filter(a -> a.bankName().equals(bankName))
                    .orElseThrow(() -> new EvidenceFormatException("pcrs." + bankName + " is not a known bank"));
            JsonNode bank = object(node, bankName, "pcrs.");
            SortedMap<Integer, byte[]> values = new TreeMap<>();
            for (Map.Entry<String, JsonNode> pcr : bank.properties()) {
                String field = "pcrs." + bankName + "." + pcr.getKey();
                if (!PCR_INDEX.matcher(pcr.getKey()).matches() || Integer.parseInt(pcr.getKey()) > MAX_PCR_INDEX) {
                    throw new EvidenceFormatException(field + ": PCR index must be a decimal number 0.." + MAX_PCR_INDEX);
                }
                if (!pcr.getValue().isTextual()) {
                    throw new EvidenceFormatException(field + " must be a hex string");
                }
                byte[] value = hex(pcr.getValue().textValue(), field);
                if (value.length != alg.size()) {
                    throw new EvidenceFormatException(field + " must be " + alg.size() + " bytes, not " + value.length);
                }
                values.put(Integer.parseInt(pcr.getKey()), value);
            }
            out.put(alg, values);
        }
        return out;
    }

    /**
     * Serialises Evidence as UTF-8 JSON, by hand: Jackson's first use costs a fifth of a {@code trustbit quote}
     * process (docs/benchmarks.md, "Agent"). No value needs escaping: every string is hex, base64, a bank or log
     * name, an ISO-8601 time or a node id, whose rule ({@link NodeId#RULE}) admits only letters, digits, '.', '_'
     * and '-'.
     */
    public static byte[] toJson(Evidence e) {
        Base64.Encoder b64 = Base64.getEncoder();
        HexFormat hex = HexFormat.of();
        StringBuilder sb = new StringBuilder(1024);
        sb.append("{\"version\":").append(e.version())
                .append(",\"nodeId\":\"").append(e.node().value())
                .append("\",\"nonce\":\"").append(hex.formatHex(e.nonce()))
                .append("\",\"akPublic\":\"").append(b64.encodeToString(e.akPublic()))
                .append("\",\"quote\":{\"attest\":\"").append(b64.encodeToString(e.quoteAttest()))
                .append("\",\"signature\":\"").append(b64.encodeToString(e.quoteSignature()))
                .append("\"},\"pcrs\":");
        PcrBanksJson.append(sb, e.pcrs());
        if (!e.eventLogs().isEmpty()) {
            sb.append(",\"eventLogs\":{");
            String sep = "";
            for (Map.Entry<EventLogKind, byte[]> log : e.eventLogs().entrySet()) {
                sb.append(sep).append('"').append(log.getKey().jsonKey()).append("\":\"").append(b64.encodeToString(log.getValue()))
                        .append('"');
                sep = ",";
            }
            sb.append('}');
        }
        sb.append(",\"producedAt\":\"").append(e.producedAt()).append('"');
        if (e.ima() != null) {
            sb.append(",\"ima\":{\"firstEntry\":").append(e.ima().firstEntry())
                    .append(",\"byteOffset\":").append(e.ima().byteOffset())
                    .append(",\"log\":\"").append(b64.encodeToString(e.ima().log())).append("\"}");
        }
        return sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void fields(JsonNode obj, String prefix, Set<String> required, Set<String> allowed)
            throws EvidenceFormatException {
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw new EvidenceFormatException(prefix + f + " is not a known field");
            }
        }
        for (String f : required) {
            if (!obj.has(f)) {
                throw new EvidenceFormatException(prefix + f + " is required");
            }
        }
    }

    private static String text(JsonNode obj, String field) throws EvidenceFormatException {
        JsonNode n = obj.get(field);
        if (n == null || !n.isTextual()) {
            throw new EvidenceFormatException(field + " must be a string");
        }
        return n.textValue();
    }

    private static JsonNode object(JsonNode obj, String field) throws EvidenceFormatException {
        return object(obj, field, "");
    }

    private static JsonNode object(JsonNode obj, String field, String prefix) throws EvidenceFormatException {
        JsonNode n = obj.get(field);
        if (n == null || !n.isObject()) {
            throw new EvidenceFormatException(prefix + field + " must be an object");
        }
        return n;
    }

    private static byte[] hex(String s, String field) throws EvidenceFormatException {
        if (!HEX.matcher(s).matches()) {
            throw new EvidenceFormatException(field + " must be an even number of hex digits");
        }
        return HexFormat.of().parseHex(s);
    }

    private static byte[] base64(String s, String field, int maxBytes) throws EvidenceFormatException {
        if (s.length() > (maxBytes + 2) / 3 * 4) {
            throw new EvidenceFormatException(field + " exceeds " + maxBytes + " bytes");
        }
        if (s.length() % 4 != 0 || !BASE64.matcher(s).matches()) {
            throw new EvidenceFormatException(field + " is not padded standard base64");
        }
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new EvidenceFormatException(field + " is not valid base64");
        }
    }
}
