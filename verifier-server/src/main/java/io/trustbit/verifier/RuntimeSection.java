package io.trustbit.verifier;

import io.trustbit.measure.FormatException;
import io.trustbit.measure.ima.ImaKey;
import io.trustbit.measure.ima.RuntimePolicy;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The optional {@code runtime} section of a policy (docs/formats.md "Policy"): the runtime policy the IMA
 * measurement list is appraised against. Parsed from the YAML mapping {@link Policy#parse} loaded, and
 * written back as YAML text.
 * <pre>
 * runtime:
 *   allowViolations: false          # default false
 *   excludes: ["/tmp/.*"]           # regular expressions matched from the start of the path
 *   keys:                           # trusted IMA signing keys
 *     - der: "MIIB..."              # base64 DER X.509 certificate or SubjectPublicKeyInfo
 *       keyId: "1a2b3c4d"           # optional; default: from the certificate's SKI or the key
 *   digests:                        # allowed file digests per path
 *     "/usr/bin/bash": ["sha256:..."]
 * </pre>
 */
public final class RuntimeSection {
    private static final Set<String> KEYS = Set.of("allowViolations", "excludes", "keys", "digests");

    private RuntimeSection() {}

    /** Parses the section's mapping; errors name the field under {@code runtime.}. */
    @SuppressWarnings("unchecked")
    public static RuntimePolicy parse(Object section) throws PolicyException {
        if (!(section instanceof Map<?, ?> m)) {
            throw new PolicyException("runtime: must be a mapping");
        }
        for (Object k : m.keySet()) {
            if (!(k instanceof String s) || !KEYS.contains(s)) {
                throw new PolicyException("runtime." + k + ": unknown field");
            }
        }
        RuntimePolicy.Builder b = RuntimePolicy.builder();
        Object v = m.get("allowViolations");
        if (v != null) {
            if (!(v instanceof Boolean allow)) {
                throw new PolicyException("runtime.allowViolations: must be true or false");
            }
            b.allowViolations(allow);
        }
        List<Object> excludes = list(m.get("excludes"), "runtime.excludes");
        for (int i = 0; i < excludes.size(); i++) {
            String f = "runtime.excludes[" + i + "]";
            try {
                b.exclude(string(excludes.get(i), f));
            } catch (FormatException e) {
                throw new PolicyException(f + ": " + e.getMessage(), e);
            }
        }
        List<Object> keys = list(m.get("keys"), "runtime.keys");
        for (int i = 0; i < keys.size(); i++) {
            String f = "runtime.keys[" + i + "]";
            if (!(keys.get(i) instanceof Map<?, ?> key)) {
                throw new PolicyException(f + ": must be a mapping with der (and keyId)");
            }
            for (Object k : key.keySet()) {
                if (!"der".equals(k) && !"keyId".equals(k)) {
                    throw new PolicyException(f + "." + k + ": unknown field");
                }
            }
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(string(key.get("der"), f + ".der"));
            } catch (IllegalArgumentException e) {
                throw new PolicyException(f + ".der: not base64", e);
            }
            Integer keyId = null;
            if (key.containsKey("keyId")) {
                String id = string(key.get("keyId"), f + ".keyId");
                if (!id.matches("[0-9a-fA-F]{8}")) {
                    throw new PolicyException(f + ".keyId: must be 8 hex digits");
                }
                keyId = (int) Long.parseLong(id, 16);
            }
            try {
                b.trust(ImaKey.fromDer(der, keyId));
            } catch (FormatException e) {
                throw new PolicyException(f + ".der: " + e.getMessage(), e);
            }
        }
        Object digests = m.get("digests");
        if (digests != null) {
            if (!(digests instanceof Map<?, ?> dm)) {
                throw new PolicyException("runtime.digests: must be a mapping of path to digests");
            }
            for (Map.Entry<?, ?> e : dm.entrySet()) {
                if (!(e.getKey() instanceof String path)) {
                    throw new PolicyException("runtime.digests: key " + e.getKey() + " is not a path string");
                }
                String f = "runtime.digests[\"" + path + "\"]";
                List<Object> values = list(e.getValue(), f);
                if (values.isEmpty()) {
                    throw new PolicyException(f + ": needs at least one digest");
                }
                for (Object d : values) {
                    try {
                        b.allow(path, string(d, f));
                    } catch (FormatException ex) {
                        throw new PolicyException(f + ": " + ex.getMessage(), ex);
                    }
                }
            }
        }
        return b.build();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o, String field) throws PolicyException {
        if (o == null) {
            return List.of();
        }
        if (!(o instanceof List<?> l)) {
            throw new PolicyException(field + ": must be a list");
        }
        return (List<Object>) l;
    }

    private static String string(Object o, String field) throws PolicyException {
        if (!(o instanceof String s)) {
            throw new PolicyException(field + ": must be a string" + (o instanceof Number ? "; quote it (\"...\")" : ""));
        }
        return s;
    }

    /** The section as YAML, starting with the line {@code runtime:}. */
    public static String toYaml(RuntimePolicy p) {
        StringBuilder y = new StringBuilder("runtime:\n");
        y.append("  allowViolations: ").append(p.allowViolations()).append('\n');
        y.append("  excludes:");
        if (p.excludes().isEmpty()) {
            y.append(" []\n");
        } else {
            y.append('\n');
            p.excludes().forEach(e -> y.append("    - ").append(quote(e)).append('\n'));
        }
        y.append("  keys:");
        if (p.keys().isEmpty()) {
            y.append(" []\n");
        } else {
            y.append('\n');
            for (ImaKey k : p.keys()) {
                y.append("    - der: \"").append(Base64.getEncoder().encodeToString(k.publicKeyDer())).append("\"\n")
                        .append("      keyId: \"").append(k.keyIdHex()).append("\"\n");
            }
        }
        y.append("  digests:");
        if (p.digests().isEmpty()) {
            y.append(" {}\n");
        } else {
            y.append('\n');
            p.digests().forEach((path, ds) -> {
                y.append("    ").append(quote(path)).append(":\n");
                ds.stream().sorted().forEach(d -> y.append("      - \"").append(d).append("\"\n"));
            });
        }
        return y.toString();
    }

    /** A YAML double-quoted scalar: backslash, quote and every character outside printable ASCII escaped. */
    static String quote(String s) {
        StringBuilder q = new StringBuilder(s.length() + 2).append('"');
        s.codePoints().forEach(c -> {
            if (c == '\\' || c == '"') {
                q.append('\\').appendCodePoint(c);
            } else if (c >= 0x20 && c < 0x7f) {
                q.appendCodePoint(c);
            } else if (c <= 0xFF) {
                q.append(String.format("\\x%02x", c));
            } else if (c <= 0xFFFF) {
                q.append(String.format("\\u%04x", c));
            } else {
                q.append(String.format("\\U%08x", c));
            }
        });
        return q.append('"').toString();
    }
}
