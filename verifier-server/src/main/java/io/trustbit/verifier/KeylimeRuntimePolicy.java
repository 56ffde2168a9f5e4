package io.trustbit.verifier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustbit.measure.FormatException;
import io.trustbit.measure.ima.ImaKey;
import io.trustbit.measure.ima.RuntimePolicy;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Converts a Keylime runtime policy (JSON, schema version 1: keylime/ima/types.py RuntimePolicyType) to a
 * {@link RuntimePolicy}: {@code digests} (path to hex digests, algorithm by length), {@code excludes}
 * (regular expressions Keylime applies with {@code re.match}, as the runtime section does) and the keys of
 * {@code verification-keys} (a JSON string mapping keyring names to keyrings, each itself a JSON string
 * with base64 DER {@code pubkeys} and their {@code keyids}). Keylime's {@code keyrings}, {@code ima-buf} and
 * device-mapper rules have no counterpart (the appraisal refuses ima-buf entries): they are reported in
 * {@link Result#notImported()} and not converted.
 */
public final class KeylimeRuntimePolicy {
    /** Largest file accepted. */
    public static final int MAX_BYTES = Policy.MAX_BYTES;
    private static final Set<String> TOP = Set.of("meta", "release", "digests", "excludes", "keyrings", "ima", "ima-buf",
            "verification-keys", "rules");

    private KeylimeRuntimePolicy() {}

    /** The converted policy and what could not be converted. */
    public record Result(RuntimePolicy policy, List<String> notImported) {}

    public static Result convert(byte[] json) throws PolicyException {
        if (json.length > MAX_BYTES) {
            throw new PolicyException("Keylime runtime policy exceeds " + MAX_BYTES + " bytes");
        }
        JsonFactory f = JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(16).maxStringLength(MAX_BYTES).build()).build();
        ObjectMapper mapper = new ObjectMapper(f);
        JsonNode root;
        try {
            root = mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new PolicyException("not valid JSON: " + e.getOriginalMessage(), e);
        } catch (java.io.IOException e) {
            throw new PolicyException("cannot read JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new PolicyException("a Keylime runtime policy is a JSON object");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!TOP.contains(k)) {
                throw new PolicyException(k + ": unknown field of a Keylime runtime policy");
            }
        }
        JsonNode meta = root.path("meta");
        if (!meta.path("version").isInt() || meta.path("version").asInt() != 1) {
            throw new PolicyException("meta.version: must be 1 (Keylime runtime policy schema version 1)");
        }
        RuntimePolicy.Builder b = RuntimePolicy.builder();
        List<String> notImported = new ArrayList<>();
        try {
            JsonNode digests = root.path("digests");
            if (!digests.isMissingNode() && !digests.isObject()) {
                throw new PolicyException("digests: must be an object of path to digest lists");
            }
            for (Map.Entry<String, JsonNode> e : digests.properties()) {
                if (!e.getValue().isArray()) {
                    throw new PolicyException("digests[\"" + e.getKey() + "\"]: must be a list");
                }
                for (JsonNode d : e.getValue()) {
                    b.allow(e.getKey(), text(d, "digests[\"" + e.getKey() + "\"]"));
                }
            }
            for (JsonNode x : array(root.path("excludes"), "excludes")) {
                b.exclude(text(x, "excludes"));
            }
            keys(b, root.path("verification-keys"), mapper);
        } catch (FormatException e) {
            throw new PolicyException(e.getMessage(), e);
        }
        if (root.path("keyrings").size() > 0) {
            notImported.add("keyrings (" + root.path("keyrings").size() + " keyring digest lists; ima-buf entries are refused)");
        }
        if (root.path("ima-buf").size() > 0) {
            notImported.add("ima-buf (" + root.path("ima-buf").size() + " buffer digest lists; ima-buf entries are refused)");
        }
        if (root.path("ima").path("dm_policy").isObject()) {
            notImported.add("ima.dm_policy (device-mapper rules)");
        }
        if (root.path("ima").path("ignored_keyrings").size() > 0) {
            notImported.add("ima.ignored_keyrings");
        }
        return new Result(b.build(), notImported);
    }

    private static void keys(RuntimePolicy.Builder b, JsonNode vk, ObjectMapper mapper) throws PolicyException, FormatException {
        if (vk.isMissingNode() || vk.isNull() || vk.isTextual() && vk.asText().isEmpty()) {
            return;
        }
        JsonNode rings = decodeTwice(vk, mapper, "verification-keys");
        if (rings.isNull() || rings.isArray() && rings.isEmpty()) {
            return;
        }
        if (!rings.isObject()) {
            throw new PolicyException("verification-keys: must hold an object of keyring name to keyring");
        }
        for (Map.Entry<String, JsonNode> e : rings.properties()) {
            String f = "verification-keys[\"" + e.getKey() + "\"]";
            JsonNode ring = decodeTwice(e.getValue(), mapper, f);
            List<JsonNode> pubkeys = array(ring.path("pubkeys"), f + ".pubkeys");
            List<JsonNode> keyids = array(ring.path("keyids"), f + ".keyids");
            for (int i = 0; i < pubkeys.size(); i++) {
                byte[] der;
                try {
                    der = Base64.getDecoder().decode(text(pubkeys.get(i), f + ".pubkeys[" + i + "]"));
                } catch (IllegalArgumentException ex) {
                    throw new PolicyException(f + ".pubkeys[" + i + "]: not base64", ex);
                }
                Integer keyId = null;
                if (i < keyids.size()) {
                    if (!keyids.get(i).canConvertToLong() || keyids.get(i).asLong() < 0 || keyids.get(i).asLong() > 0xFFFF_FFFFL) {
                        throw new PolicyException(f + ".keyids[" + i + "]: must be a 32-bit unsigned integer");
                    }
                    keyId = (int) keyids.get(i).asLong();
                }
                try {
                    b.trust(ImaKey.fromPublicKey(der, keyId));
                } catch (FormatException ex) {
                    throw new PolicyException(f + ".pubkeys[" + i + "]: " + ex.getMessage(), ex);
                }
            }
        }
    }

    /** Keylime stores these as JSON text, sometimes encoded twice. */
    private static JsonNode decodeTwice(JsonNode n, ObjectMapper mapper, String field) throws PolicyException {
        JsonNode cur = n;
        for (int i = 0; i < 2 && cur.isTextual(); i++) {
            try {
                cur = mapper.readTree(cur.asText());
            } catch (JsonProcessingException e) {
                throw new PolicyException(field + ": not valid JSON text: " + e.getOriginalMessage(), e);
            }
        }
        return cur == null ? mapper.nullNode() : cur;
    }

    private static List<JsonNode> array(JsonNode n, String field) throws PolicyException {
        if (n.isMissingNode() || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw new PolicyException(field + ": must be a list");
        }
        List<JsonNode> out = new ArrayList<>();
        n.forEach(out::add);
        return out;
    }

    private static String text(JsonNode n, String field) throws PolicyException {
        if (!n.isTextual()) {
            throw new PolicyException(field + ": must be a string");
        }
        return n.asText();
    }
}
