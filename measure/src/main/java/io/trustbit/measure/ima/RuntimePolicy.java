package io.trustbit.measure.ima;

import io.trustbit.measure.FormatException;
import io.trustbit.measure.internal.Hex;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What a node may execute, appraised entry by entry over a verified IMA measurement list (Keylime's
 * runtime policy is the model): allowed file digests per path, keys whose IMA signatures are trusted,
 * paths that are not appraised, and whether measurement violations are tolerated. Immutable; build it with
 * {@link #builder()}, which checks every value and its limits.
 *
 * <p>An entry passes if it is the boot_aggregate entry 0 (with an allowed digest if the allowlist names
 * {@code boot_aggregate}); or its path matches an exclude (a regular expression matched from the start of
 * the path, as Keylime's {@code re.match}); or it carries an IMA signature that verifies with a trusted key;
 * or its digest is listed for its path. A signature by a trusted key that does not verify fails the entry
 * even if its digest is listed.
 */
public final class RuntimePolicy {
    public static final int MAX_PATHS = 1_000_000;
    public static final int MAX_DIGESTS_PER_PATH = 64;
    public static final int MAX_EXCLUDES = 1024;
    public static final int MAX_KEYS = 64;
    public static final String BOOT_AGGREGATE = "boot_aggregate";

    private final Map<String, Set<String>> digests;
    private final List<ImaKey> keys;
    private final List<String> excludes;
    private final Pattern excludePattern;
    private final boolean allowViolations;

    private RuntimePolicy(Builder b) {
        // sorted for output, hashed for the lookup of every entry
        java.util.LinkedHashMap<String, Set<String>> d = new java.util.LinkedHashMap<>();
        b.digests.forEach((k, v) -> d.put(k, Collections.unmodifiableSet(new java.util.HashSet<>(v))));
        this.digests = Collections.unmodifiableMap(d);
        this.keys = List.copyOf(b.keys);
        this.excludes = List.copyOf(b.excludes);
        this.excludePattern = excludes.isEmpty() ? null : Pattern.compile(String.join("|", excludes.stream().map(e -> "(?:" + e + ")").toList()));
        this.allowViolations = b.allowViolations;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Allowed digests by path, each {@code <algo>:<hex>}, paths sorted (digests in no particular order). */
    public Map<String, Set<String>> digests() {
        return digests;
    }

    public List<ImaKey> keys() {
        return keys;
    }

    public List<String> excludes() {
        return excludes;
    }

    public boolean allowViolations() {
        return allowViolations;
    }

    /** The number of allowed (path, digest) pairs. */
    public int digestCount() {
        int n = 0;
        for (Set<String> s : digests.values()) {
            n += s.size();
        }
        return n;
    }

    /** Every entry of {@code log} that this policy does not allow, in list order (empty: all allowed). */
    public List<ImaFinding> appraise(VerifiedImaLog log) {
        List<ImaFinding> out = new ArrayList<>();
        for (VerifiedImaEntry e : log.entries()) {
            ImaFinding f = appraise(e);
            if (f != null) {
                out.add(f);
            }
        }
        return out;
    }

    private ImaFinding appraise(VerifiedImaEntry e) {
        String path = e.path();
        if (e.isViolation()) {
            return allowViolations ? null : new ImaFinding(e.index(), path, "runtime.violation",
                    "measurement violation (a file open for writing was measured, or changed while measured;"
                    + " PCR 10 does not cover the path of a violation)");
        }
        String digest = e.fileDigestAlgo().imaName() + ":" + Hex.of(e.fileDigestRef());
        if (path.equals(BOOT_AGGREGATE)) {
            if (e.index() != 0) {
                return new ImaFinding(e.index(), path, "runtime.boot-aggregate", "boot_aggregate is not entry 0");
            }
            Set<String> allowed = digests.get(BOOT_AGGREGATE);
            return allowed == null || allowed.contains(digest) ? null
                    : new ImaFinding(e.index(), path, "runtime.boot-aggregate", digest + " is not an allowed boot aggregate");
        }
        if (excludePattern != null && excludePattern.matcher(path).lookingAt()) {
            return null;
        }
        String unsigned = "";
        byte[] sig = e.signatureRef();
        if (sig.length > 0) {
            ImaSignature s;
            try {
                s = ImaSignature.parse(sig);
            } catch (FormatException ex) {
                return new ImaFinding(e.index(), path, "runtime.signature", ex.getMessage());
            }
            boolean trustedKey = false;
            for (ImaKey k : keys) {
                trustedKey |= k.keyId() == s.keyId();
            }
            if (trustedKey) {
                try {
                    s.verify(keys, e.fileDigestAlgo(), e.fileDigestRef());
                    return null;
                } catch (ImaSignatureException ex) {
                    return new ImaFinding(e.index(), path, "runtime.signature", ex.getMessage());
                }
            }
            unsigned = "; signed by key " + s.keyIdHex() + ", which is not trusted";
        }
        Set<String> allowed = digests.get(path);
        if (allowed == null) {
            return new ImaFinding(e.index(), path, "runtime.unlisted", "not in the allowlist (" + digest + ")" + unsigned);
        }
        return allowed.contains(digest) ? null
                : new ImaFinding(e.index(), path, "runtime.digest", digest + " is not an allowed digest" + unsigned);
    }

    /** Collects and checks the parts of a policy; each method names what is wrong. */
    public static final class Builder {
        private final Map<String, Set<String>> digests = new TreeMap<>();
        private final List<ImaKey> keys = new ArrayList<>();
        private final List<String> excludes = new ArrayList<>();
        private boolean allowViolations;

        private Builder() {}

        /**
         * Allows a digest for a path; {@code digest} is {@code <algo>:<hex>} or bare hex (the algorithm then
         * follows from the length, as in Keylime's lists).
         */
        public Builder allow(String path, String digest) throws FormatException {
            if (path.isEmpty() || path.indexOf('\0') >= 0) {
                throw new FormatException("path '" + path + "' is empty or has a NUL");
            }
            String d = normalize(digest);
            Set<String> set = digests.get(path);
            if (set == null) {
                if (digests.size() == MAX_PATHS) {
                    throw new FormatException("more than " + MAX_PATHS + " paths");
                }
                set = new LinkedHashSet<>();
                digests.put(path, set);
            }
            if (set.size() == MAX_DIGESTS_PER_PATH && !set.contains(d)) {
                throw new FormatException(path + ": more than " + MAX_DIGESTS_PER_PATH + " digests");
            }
            set.add(d);
            return this;
        }

        /** Allows a digest for a path. */
        public Builder allow(String path, ImaHashAlgo algo, byte[] digest) throws FormatException {
            return allow(path, algo.imaName() + ":" + Hex.of(digest));
        }

        public Builder trust(ImaKey key) throws FormatException {
            if (keys.size() == MAX_KEYS) {
                throw new FormatException("more than " + MAX_KEYS + " keys");
            }
            if (!keys.contains(key)) {
                keys.add(key);
            }
            return this;
        }

        /** Excludes paths matching {@code regex} (from the start of the path) from appraisal. */
        public Builder exclude(String regex) throws FormatException {
            if (excludes.size() == MAX_EXCLUDES) {
                throw new FormatException("more than " + MAX_EXCLUDES + " excludes");
            }
            if (regex.isEmpty() || regex.length() > 1024) {
                throw new FormatException("exclude '" + regex + "' is empty or longer than 1024 characters");
            }
            try {
                Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw new FormatException("exclude '" + regex + "' is not a regular expression: "
                        + e.getDescription(), e);
            }
            excludes.add(regex);
            return this;
        }

        public Builder allowViolations(boolean v) {
            allowViolations = v;
            return this;
        }

        public RuntimePolicy build() {
            return new RuntimePolicy(this);
        }

        private static String normalize(String digest) throws FormatException {
            String s = digest.strip().toLowerCase(java.util.Locale.ROOT);
            int colon = s.indexOf(':');
            String hex = colon < 0 ? s : s.substring(colon + 1);
            if (hex.isEmpty() || hex.length() % 2 != 0 || !hex.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                throw new FormatException("digest '" + digest + "' is not hex");
            }
            ImaHashAlgo algo;
            if (colon < 0) {
                algo = ImaHashAlgo.fromSize(hex.length() / 2).orElseThrow(() -> new FormatException(
                        "digest '" + digest + "' has " + hex.length() / 2 + " bytes, the size of no supported algorithm"));
            } else {
                String name = s.substring(0, colon);
                algo = ImaHashAlgo.fromImaName(name).orElseThrow(() -> new FormatException(
                        "digest '" + digest + "': algorithm '" + name + "' is not supported (sha1, sha256, sha384, sha512)"));
                if (hex.length() != 2 * algo.size()) {
                    throw new FormatException("digest '" + digest + "' is not " + algo.size() + " bytes");
                }
            }
            return algo.imaName() + ":" + hex;
        }
    }
}
