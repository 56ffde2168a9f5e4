package io.trustbit.verifier;

import io.trustbit.measure.HashAlg;
import io.trustbit.measure.ima.RuntimePolicy;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * A reference-value policy (schema: docs/formats.md "Policy", examples in {@code policies/}). Immutable;
 * {@link #parse} checks every field and names the first one that is wrong. Digest values are in
 * {@link #bank()}.
 *
 * @param id           policy id ({@code [A-Za-z0-9._-]}, defaults to the file name)
 * @param digest       {@code sha256:<hex>} of the policy file bytes, recorded in every verdict
 * @param allowEmulated whether an emulated launch (harness-injected SKINIT measurement) is accepted;
 *                      an unmeasured launch never is
 * @param requireDmaProtection whether PCR 18 must record {@code dma-protection=iommu …} (the VMM kept
 *                      devices out with the IOMMU); {@code dma-protection=none} then contraindicates
 * @param pcr17        allowed PCR 17 values (empty: not checked as a whole)
 * @param slb          allowed digests of the SLB event (PCR 17, first event; empty: not checked)
 * @param vmm          allowed digests of the VMM event (PCR 17, second event; empty: not checked)
 * @param pcr18        allowed PCR 18 values (empty: not checked as a whole)
 * @param launchConfig allowed digests of the launch-configuration event (PCR 18; empty: not checked)
 * @param signers      allowed guest signer key ids (hex) with their minimum security version
 * @param linuxSigners allowed signers of Linux guests (kernel, initrd and command line) with their minimum
 *                     security version; empty: Linux guests are held to {@code signers} like any guest
 * @param retiredSigners guest signer key ids (hex) that are no longer trusted, with the reason an administrator
 *                     gave (a leaked key, a finished rotation): a launched guest of one contraindicates, naming it
 * @param fleetMinSecurityVersion the least security version any launched guest may have, whatever its signer's
 *                     own minimum (rollback protection raised for the whole fleet at once)
 * @param allowRefusedGuests whether a guest the VMM refused is a warning (true) or contraindicates (false)
 * @param firmware     allowed values of static-chain PCRs 0–7 (by PCR)
 * @param runtime      the runtime policy the IMA measurement list is appraised against, if the policy has a
 *                     {@code runtime} section ({@link RuntimeSection}); null otherwise
 */
public record Policy(String id, String digest, String description, HashAlg bank, boolean allowEmulated,
        boolean requireDmaProtection, List<byte[]> pcr17, List<byte[]> slb, List<byte[]> vmm, List<byte[]> pcr18, List<byte[]> launchConfig,
        Map<String, Long> signers, Map<String, Long> linuxSigners, boolean allowRefusedGuests, SortedMap<Integer, List<byte[]>> firmware,
        long maxEvidenceAgeSeconds, long verdictLifetimeSeconds, RuntimePolicy runtime, Map<String, String> retiredSigners,
        long fleetMinSecurityVersion) {

    public static final int SCHEMA_VERSION = 1;
    /** Largest policy file accepted (a runtime allowlist of 100,000 paths takes about 12 MiB). */
    public static final int MAX_BYTES = 64 * 1024 * 1024;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]+");
    private static final Set<String> TOP = Set.of("version", "id", "description", "bank", "launch", "drtm", "guests",
            "firmware", "maxEvidenceAgeSeconds", "verdictLifetimeSeconds", "runtime");
    private static final int MAX_LIST = 256;

    public Policy {
        pcr17 = copy(pcr17);
        slb = copy(slb);
        vmm = copy(vmm);
        pcr18 = copy(pcr18);
        launchConfig = copy(launchConfig);
        signers = Collections.unmodifiableMap(new LinkedHashMap<>(signers));
        linuxSigners = Collections.unmodifiableMap(new LinkedHashMap<>(linuxSigners));
        retiredSigners = Collections.unmodifiableMap(new LinkedHashMap<>(retiredSigners));
        TreeMap<Integer, List<byte[]>> fw = new TreeMap<>();
        firmware.forEach((k, v) -> fw.put(k, copy(v)));
        firmware = Collections.unmodifiableSortedMap(fw);
    }

    private static List<byte[]> copy(List<byte[]> l) {
        List<byte[]> out = new ArrayList<>(l.size());
        for (byte[] b : l) {
            out.add(b.clone());
        }
        return Collections.unmodifiableList(out);
    }

    /** Every PCR the policy reads: the DRTM PCRs 17–19 and the firmware PCRs it lists. */
    public SortedSet<Integer> pcrsRead() {
        SortedSet<Integer> s = new TreeSet<>(List.of(17, 18, 19));
        s.addAll(firmware.keySet());
        return Collections.unmodifiableSortedSet(s);
    }

    /** Parses and checks a policy file; {@code defaultId} is used when the file has no {@code id}. */
    public static Policy parse(byte[] yaml, String defaultId) throws PolicyException {
        if (yaml.length > MAX_BYTES) {
            throw new PolicyException("policy file exceeds " + MAX_BYTES + " bytes");
        }
        Object root;
        try {
            LoaderOptions opts = new LoaderOptions();
            opts.setAllowDuplicateKeys(false);
            opts.setMaxAliasesForCollections(0);
            opts.setAllowRecursiveKeys(false);
            opts.setNestingDepthLimit(16);
            opts.setCodePointLimit(MAX_BYTES);
            root = new Yaml(new SafeConstructor(opts)).load(new String(yaml, StandardCharsets.UTF_8));
        } catch (YAMLException e) {
            throw new PolicyException("not valid YAML: " + e.getMessage().replace('\n', ' '), e);
        }
        Map<String, Object> top = map(root, "policy");
        checkKeys(top, TOP, "");
        long version = integer(top.get("version"), "version");
        if (version != SCHEMA_VERSION) {
            throw new PolicyException("version: " + version + " is not the supported schema version " + SCHEMA_VERSION);
        }
        String id = top.containsKey("id") ? string(top.get("id"), "id") : defaultId;
        if (id == null || !ID.matcher(id).matches()) {
            throw new PolicyException("id: '" + id + "' must match " + ID.pattern());
        }
        String description = top.containsKey("description") ? string(top.get("description"), "description") : "";
        String bankName = top.containsKey("bank") ? string(top.get("bank"), "bank") : "sha256";
        HashAlg bank = HashAlg.fromBankName(bankName)
                .orElseThrow(() -> new PolicyException("bank: unknown PCR bank '" + bankName + "'"));

        Map<String, Object> launch = top.containsKey("launch") ? map(top.get("launch"), "launch") : Map.of();
        checkKeys(launch, Set.of("allowEmulated", "requireDmaProtection"), "launch.");
        boolean allowEmulated = launch.containsKey("allowEmulated")
                && bool(launch.get("allowEmulated"), "launch.allowEmulated");
        boolean requireDma = launch.containsKey("requireDmaProtection")
                && bool(launch.get("requireDmaProtection"), "launch.requireDmaProtection");

        Map<String, Object> drtm = map(top.get("drtm"), "drtm");
        checkKeys(drtm, Set.of("pcr17", "slb", "vmm", "pcr18", "launchConfig"), "drtm.");
        List<byte[]> pcr17 = digests(drtm.get("pcr17"), "drtm.pcr17", bank);
        List<byte[]> slb = digests(drtm.get("slb"), "drtm.slb", bank);
        List<byte[]> vmm = digests(drtm.get("vmm"), "drtm.vmm", bank);
        List<byte[]> pcr18 = digests(drtm.get("pcr18"), "drtm.pcr18", bank);
        List<byte[]> launchConfig = digests(drtm.get("launchConfig"), "drtm.launchConfig", bank);
        if (pcr17.isEmpty() && (slb.isEmpty() || vmm.isEmpty())) {
            throw new PolicyException("drtm: needs pcr17, or both slb and vmm");
        }
        if (pcr18.isEmpty() && launchConfig.isEmpty()) {
            throw new PolicyException("drtm: needs pcr18 or launchConfig");
        }

        Map<String, Object> guests = top.containsKey("guests") ? map(top.get("guests"), "guests") : Map.of();
        checkKeys(guests, Set.of("signers", "linuxSigners", "allowRefused", "retiredSigners", "minSecurityVersion"), "guests.");
        Map<String, Long> signers = signers(guests, "signers");
        Map<String, Long> linuxSigners = signers(guests, "linuxSigners");
        Map<String, String> retired = retiredSigners(guests);
        long fleetMin = guests.containsKey("minSecurityVersion")
                ? integer(guests.get("minSecurityVersion"), "guests.minSecurityVersion") : 0;
        if (fleetMin < 0 || fleetMin > 0xFFFF_FFFFL) {
            throw new PolicyException("guests.minSecurityVersion: " + fleetMin + " is outside 0…4294967295");
        }
        boolean allowRefused = !guests.containsKey("allowRefused") || bool(guests.get("allowRefused"), "guests.allowRefused");

        TreeMap<Integer, List<byte[]>> firmware = new TreeMap<>();
        if (top.containsKey("firmware")) {
            Map<String, Object> fw = map(top.get("firmware"), "firmware");
            for (Map.Entry<String, Object> e : fw.entrySet()) {
                int pcr;
                try {
                    pcr = Integer.parseInt(e.getKey());
                } catch (NumberFormatException ex) {
                    throw new PolicyException("firmware: key '" + e.getKey() + "' is not a PCR number 0…7");
                }
                if (pcr < 0 || pcr > 7) {
                    throw new PolicyException("firmware: PCR " + pcr + " is not a static-chain PCR 0…7");
                }
                List<byte[]> values = digests(e.getValue(), "firmware." + pcr, bank);
                if (values.isEmpty()) {
                    throw new PolicyException("firmware." + pcr + ": needs at least one value");
                }
                firmware.put(pcr, values);
            }
        }
        long maxAge = top.containsKey("maxEvidenceAgeSeconds")
                ? integer(top.get("maxEvidenceAgeSeconds"), "maxEvidenceAgeSeconds") : 300;
        if (maxAge < 1 || maxAge > 86_400) {
            throw new PolicyException("maxEvidenceAgeSeconds: " + maxAge + " is outside 1…86400");
        }
        long lifetime = top.containsKey("verdictLifetimeSeconds")
                ? integer(top.get("verdictLifetimeSeconds"), "verdictLifetimeSeconds") : 600;
        if (lifetime < 1 || lifetime > 86_400) {
            throw new PolicyException("verdictLifetimeSeconds: " + lifetime + " is outside 1…86400");
        }
        RuntimePolicy runtime = top.containsKey("runtime") ? RuntimeSection.parse(top.get("runtime")) : null;
        String digest = "sha256:" + HexFormat.of().formatHex(sha256(yaml));
        return new Policy(id, digest, description, bank, allowEmulated, requireDma, pcr17, slb, vmm, pcr18, launchConfig, signers,
                linuxSigners, allowRefused, firmware, maxAge, lifetime, runtime, retired, fleetMin);
    }

    /** guests.retiredSigners: a list of {keyId, reason}; the reason (printable, 1…200 characters) is shown in verdicts. */
    private static Map<String, String> retiredSigners(Map<String, Object> guests) throws PolicyException {
        Map<String, String> retired = new LinkedHashMap<>();
        List<Object> list = list(guests.get("retiredSigners"), "guests.retiredSigners");
        for (int i = 0; i < list.size(); i++) {
            String f = "guests.retiredSigners[" + i + "]";
            Map<String, Object> s = map(list.get(i), f);
            checkKeys(s, Set.of("keyId", "reason"), f + ".");
            byte[] keyId = hex(s.get("keyId"), f + ".keyId", 32);
            if (!s.containsKey("reason")) {
                throw new PolicyException(f + ".reason: required (why the signer is retired; verdicts name it)");
            }
            String reason = string(s.get("reason"), f + ".reason").strip();
            if (reason.isEmpty() || reason.length() > 200 || !reason.matches("[\\x20-\\x7e]+")) {
                throw new PolicyException(f + ".reason: must be 1…200 printable ASCII characters");
            }
            if (retired.put(HexFormat.of().formatHex(keyId), reason) != null) {
                throw new PolicyException(f + ".keyId: listed twice");
            }
        }
        return retired;
    }

    /** guests.KEY: a list of {keyId, minSecurityVersion}, as a map from hex key id to minimum. */
    private static Map<String, Long> signers(Map<String, Object> guests, String key) throws PolicyException {
        Map<String, Long> signers = new LinkedHashMap<>();
        List<Object> signerList = list(guests.get(key), "guests." + key);
        for (int i = 0; i < signerList.size(); i++) {
            String f = "guests." + key + "[" + i + "]";
            Map<String, Object> s = map(signerList.get(i), f);
            checkKeys(s, Set.of("keyId", "minSecurityVersion"), f + ".");
            byte[] keyId = hex(s.get("keyId"), f + ".keyId", 32);
            long min = s.containsKey("minSecurityVersion") ? integer(s.get("minSecurityVersion"), f + ".minSecurityVersion") : 0;
            if (min < 0 || min > 0xFFFF_FFFFL) {
                throw new PolicyException(f + ".minSecurityVersion: " + min + " is outside 0…4294967295");
            }
            if (signers.put(HexFormat.of().formatHex(keyId), min) != null) {
                throw new PolicyException(f + ".keyId: listed twice");
            }
        }
        return signers;
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o, String field) throws PolicyException {
        if (!(o instanceof Map<?, ?> m)) {
            throw new PolicyException(field + ": must be a mapping");
        }
        for (Object k : m.keySet()) {
            if (!(k instanceof String)) {
                throw new PolicyException(field + ": key " + k + " is not a string");
            }
        }
        return (Map<String, Object>) m;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o, String field) throws PolicyException {
        if (o == null) {
            return List.of();
        }
        if (!(o instanceof List<?> l)) {
            throw new PolicyException(field + ": must be a list");
        }
        if (l.size() > MAX_LIST) {
            throw new PolicyException(field + ": more than " + MAX_LIST + " entries");
        }
        return (List<Object>) l;
    }

    private static void checkKeys(Map<String, Object> m, Set<String> allowed, String prefix) throws PolicyException {
        for (String k : m.keySet()) {
            if (!allowed.contains(k)) {
                throw new PolicyException(prefix + k + ": unknown field");
            }
        }
    }

    private static String string(Object o, String field) throws PolicyException {
        if (!(o instanceof String s)) {
            throw new PolicyException(field + ": must be a string");
        }
        return s;
    }

    private static boolean bool(Object o, String field) throws PolicyException {
        if (!(o instanceof Boolean b)) {
            throw new PolicyException(field + ": must be true or false");
        }
        return b;
    }

    private static long integer(Object o, String field) throws PolicyException {
        if (o instanceof Integer || o instanceof Long) {
            return ((Number) o).longValue();
        }
        throw new PolicyException(field + ": must be an integer");
    }

    private static List<byte[]> digests(Object o, String field, HashAlg bank) throws PolicyException {
        List<Object> l = list(o, field);
        List<byte[]> out = new ArrayList<>(l.size());
        for (int i = 0; i < l.size(); i++) {
            out.add(hex(l.get(i), field + "[" + i + "]", bank.size()));
        }
        return out;
    }

    private static byte[] hex(Object o, String field, int size) throws PolicyException {
        if (o instanceof Number) {
            throw new PolicyException(field + ": must be a hex string; quote it (\"...\") so YAML does not read a number");
        }
        String s = string(o, field).strip();
        if (s.length() != 2 * size || !HEX.matcher(s).matches()) {
            throw new PolicyException(field + ": must be " + size + " bytes of hex (" + 2 * size + " digits)");
        }
        return HexFormat.of().parseHex(s.toLowerCase(Locale.ROOT));
    }
}
