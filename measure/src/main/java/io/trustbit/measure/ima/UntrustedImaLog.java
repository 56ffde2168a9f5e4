package io.trustbit.measure.ima;

import io.trustbit.measure.FormatException;
import io.trustbit.measure.HashAlg;
import io.trustbit.measure.PcrValues;
import io.trustbit.measure.ReplayMismatchException;
import io.trustbit.measure.internal.ByteReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed IMA measurement list ({@code /sys/kernel/security/ima/binary_runtime_measurements}), or the
 * part of one that follows the entries a verifier has already replayed. Nothing in it is trusted: replay
 * it against a quoted PCR 10 with {@link #verifyAgainst} to obtain verified entries.
 *
 * <p>Layout of one entry (kernel security/integrity/ima/ima_fs.c, ima_measurements_show; field
 * encodings in Documentation/security/IMA-templates.rst), integers in the byte order of the machine that
 * wrote the list, little-endian here (x86-64, and every kernel booted with {@code ima_canonical_fmt}):
 * <pre>
 *   u32  pcr                    the PCR the entry was extended into (10 unless the IMA policy says pcr=)
 *   u8   template_digest[20]    SHA-1 of template_data; all zeros for a violation
 *   u32  template_name_len      at most 255 (TCG_EVENT_NAME_LEN_MAX)
 *   char template_name[]        "ima-ng" or "ima-sig", no terminating NUL
 *   u32  template_data_len
 *   u8   template_data[]        the template's fields, each a u32 length and that many bytes:
 *          d-ng  "&lt;algo&gt;:" NUL &lt;file digest&gt;     (a violation has a zero digest of the algorithm's size)
 *          n-ng  path NUL
 *          sig   security.ima if it holds a signature, else empty (ima-sig only)
 * </pre>
 * With a TPM 2.0 the kernel extends every PCR bank with that bank's hash of template_data, and a violation
 * as all 0xFF bytes of the bank's size (ima_queue.c, ima_pcr_extend; ima_api.c, ima_add_violation).
 */
public final class UntrustedImaLog {
    /** The PCR IMA extends by default (CONFIG_IMA_MEASURE_PCR_IDX); other PCRs are refused. */
    public static final int IMA_PCR = 10;
    /** Entries accepted in one list. */
    public static final int MAX_ENTRIES = 4_000_000;
    static final int MAX_TEMPLATE_NAME = 255;
    static final int MAX_TEMPLATE_DATA = 16 * 1024;
    static final int MAX_PATH = 4096 + 1;
    static final int MAX_SIGNATURE = 8 * 1024;
    private static final int MAX_DIGEST_FIELD = 8 + 64;

    private final long firstIndex;
    private final List<UntrustedImaEntry> entries;

    private UntrustedImaLog(long firstIndex, List<UntrustedImaEntry> entries) {
        this.firstIndex = firstIndex;
        this.entries = List.copyOf(entries);
    }

    /** Parses a whole measurement list (its first entry is entry 0). */
    public static UntrustedImaLog parse(byte[] list) throws ImaFormatException {
        return parse(list, 0);
    }

    /**
     * Parses entries that start at {@code firstIndex} of the measurement list: the tail an agent sends
     * after the entries the verifier has replayed already. Any deviation is an {@link ImaFormatException}.
     */
    public static UntrustedImaLog parse(byte[] list, long firstIndex) throws ImaFormatException {
        if (firstIndex < 0) {
            throw new IllegalArgumentException("first index " + firstIndex + " is negative");
        }
        ByteReader r = new ByteReader(list);
        List<UntrustedImaEntry> out = new ArrayList<>();
        MessageDigest sha1 = HashAlg.SHA1.newDigest();
        try {
            while (!r.atEnd()) {
                if (out.size() == MAX_ENTRIES) {
                    throw r.error("measurement list", "has more than " + MAX_ENTRIES + " entries");
                }
                out.add(entry(r, firstIndex + out.size(), list, sha1));
            }
        } catch (ImaFormatException e) {
            throw e;
        } catch (FormatException e) {
            throw new ImaFormatException(e.getMessage(), e);
        }
        return new UntrustedImaLog(firstIndex, out);
    }

    private static UntrustedImaEntry entry(ByteReader r, long index, byte[] list, MessageDigest sha1) throws FormatException {
        int offset = r.position();
        r.itemContext("IMA entry ", index, offset);
        int pcrAt = r.position();
        long pcr = r.u32("pcr");
        if (pcr != IMA_PCR) {
            throw r.fieldError("pcr", pcr + " is not PCR " + IMA_PCR + " (offset 0x" + Integer.toHexString(pcrAt) + ")");
        }
        byte[] templateDigest = r.bytes(HashAlg.SHA1.size(), "template digest");
        int nameLength = r.length32("template name length", MAX_TEMPLATE_NAME);
        if (nameLength == 0) {
            throw r.error("template name length", "is 0");
        }
        byte[] nameBytes = r.bytes(nameLength, "template name");
        String name = printableAscii(nameBytes);
        if (name == null) {
            throw r.fieldError("template name", "is not printable ASCII");
        }
        ImaTemplate template = ImaTemplate.fromName(name).orElseThrow(() -> r.fieldError("template name",
                "'" + name + "' is not supported (ima-ng and ima-sig are; boot with ima_template=ima-ng or ima-sig)"));
        int dataLength = r.length32("template data length", MAX_TEMPLATE_DATA);
        int dataAt = r.position();
        byte[] data = r.bytes(dataLength, "template data");
        ByteReader d = new ByteReader(list, dataAt, dataLength).itemContext("IMA entry ", index, offset);

        int digestLength = d.length32("d-ng field length", MAX_DIGEST_FIELD);
        int digestAt = d.position();
        byte[] digestField = d.bytes(digestLength, "d-ng field");
        int colon = indexOf(digestField, (byte) ':');
        if (colon <= 0 || colon + 1 >= digestField.length || digestField[colon + 1] != 0) {
            throw d.fieldError("d-ng field", "is not \"<algo>:\\0<digest>\" (offset 0x" + Integer.toHexString(digestAt) + ")");
        }
        String algoName = printableAscii(java.util.Arrays.copyOf(digestField, colon));
        ImaHashAlgo algo = algoName == null ? null : ImaHashAlgo.fromImaName(algoName).orElse(null);
        if (algo == null) {
            throw d.fieldError("d-ng field", "file digest algorithm '" + (algoName == null ? "?" : algoName)
                    + "' is not supported (sha1, sha256, sha384, sha512)");
        }
        byte[] fileDigest = java.util.Arrays.copyOfRange(digestField, colon + 2, digestField.length);
        if (fileDigest.length != algo.size()) {
            throw d.fieldError("d-ng field", algo.imaName() + " digest has " + fileDigest.length + " bytes, not " + algo.size());
        }

        int pathLength = d.length32("n-ng field length", MAX_PATH);
        byte[] pathField = d.bytes(pathLength, "n-ng field");
        if (pathLength == 0 || pathField[pathLength - 1] != 0) {
            throw d.fieldError("n-ng field", "does not end with NUL");
        }
        if (indexOf(pathField, (byte) 0) != pathLength - 1) {
            throw d.fieldError("n-ng field", "has a NUL inside the name");
        }
        String path = path(pathField, pathLength - 1);

        byte[] signature = new byte[0];
        if (template == ImaTemplate.IMA_SIG) {
            int sigLength = d.length32("sig field length", MAX_SIGNATURE);
            signature = d.bytes(sigLength, "sig field");
        }
        d.requireEnd("template data");

        boolean violation = true;
        for (byte b : templateDigest) {
            violation &= b == 0;
        }
        if (!violation && !MessageDigest.isEqual(sha1.digest(data), templateDigest)) {
            throw r.fieldError("template digest", "is not the SHA-1 of the template data (the entry was altered)");
        }
        return new UntrustedImaEntry(index, offset, (int) pcr, templateDigest, template, data, algo, fileDigest, path, signature);
    }

    private static int indexOf(byte[] b, byte v) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }

    private static String printableAscii(byte[] b) {
        for (byte c : b) {
            if (c < 0x20 || c > 0x7e) {
                return null;
            }
        }
        return new String(b, StandardCharsets.US_ASCII);
    }

    /** UTF-8 when the bytes are UTF-8 without backslashes; otherwise every byte outside printable ASCII, and the backslash, escaped. */
    static String path(byte[] b, int length) {
        boolean plain = true;
        for (int i = 0; i < length; i++) {
            plain &= b[i] != '\\';
        }
        if (plain) {
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, 0, length)).toString();
            } catch (CharacterCodingException e) {
                // escaped below
            }
        }
        StringBuilder sb = new StringBuilder(length + 16);
        for (int i = 0; i < length; i++) {
            int c = b[i] & 0xFF;
            if (c == '\\') {
                sb.append("\\\\");
            } else if (c >= 0x20 && c < 0x7f) {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        return sb.toString();
    }

    /** Index of the first entry in the measurement list since boot. */
    public long firstIndex() {
        return firstIndex;
    }

    public List<UntrustedImaEntry> entries() {
        return entries;
    }

    /**
     * Replays the entries from {@code start} (whose next entry must be this list's first) and returns the
     * longest run of entries that no later quote has yet to cover: the shortest prefix after which the
     * running PCR 10 equals the quoted PCR 10 in every bank the quote has it in. Entries after that prefix
     * were added after the quote and stay unverified ({@link VerifiedImaLog#uncoveredEntries}). If no prefix
     * matches, throws listing the banks whose value after the last entry differs.
     *
     * @throws IllegalArgumentException if the quote has no PCR 10 in a bank {@code start} tracks, or the
     *     list does not start where {@code start} stands
     */
    public VerifiedImaLog verifyAgainst(ImaReplayState start, PcrValues quoted) throws ReplayMismatchException {
        requireStart(start);
        Map<HashAlg, byte[]> expected = new EnumMap<>(HashAlg.class);
        for (HashAlg bank : quoted.banks()) {
            quoted.get(bank, IMA_PCR).ifPresent(v -> expected.put(bank, v));
        }
        if (expected.isEmpty()) {
            throw new IllegalArgumentException("the quoted values have no PCR " + IMA_PCR);
        }
        for (HashAlg bank : expected.keySet()) {
            if (!start.banks().contains(bank)) {
                throw new IllegalArgumentException("the replay state does not track the " + bank.bankName() + " bank");
            }
        }
        Replay replay = new Replay(start);
        int n = entries.size();
        for (int i = 0; ; i++) {
            if (matches(replay.running, expected)) {
                List<VerifiedImaEntry> verified = new ArrayList<>(i);
                for (int j = 0; j < i; j++) {
                    verified.add(new VerifiedImaEntry(entries.get(j)));
                }
                return new VerifiedImaLog(verified, ImaReplayState.of(firstIndex + i, replay.running), n - i);
            }
            if (i == n) {
                break;
            }
            replay.extend(entries.get(i));
        }
        Map<HashAlg, byte[]> running = replay.running;
        List<ReplayMismatchException.Mismatch> mismatches = new ArrayList<>();
        expected.forEach((bank, value) -> {
            if (!MessageDigest.isEqual(value, running.get(bank))) {
                mismatches.add(new ReplayMismatchException.Mismatch(bank, IMA_PCR, value, running.get(bank)));
            }
        });
        throw new ReplayMismatchException(mismatches);
    }

    /**
     * Replays every entry from {@code start} without reference values: the state the list claims to lead to,
     * not a verified fact (reference logs, tests, benchmarks).
     */
    public ImaReplayState replay(ImaReplayState start) {
        requireStart(start);
        Replay replay = new Replay(start);
        entries.forEach(replay::extend);
        return ImaReplayState.of(firstIndex + entries.size(), replay.running);
    }

    private void requireStart(ImaReplayState start) {
        if (start.nextEntry() != firstIndex) {
            throw new IllegalArgumentException("the list starts at entry " + firstIndex + " but the replay state is at entry "
                    + start.nextEntry());
        }
    }

    /** Running PCR 10 values of every bank a state tracks, extended entry by entry. */
    private static final class Replay {
        final Map<HashAlg, byte[]> running = new EnumMap<>(HashAlg.class);
        private final Map<HashAlg, MessageDigest> extend = new EnumMap<>(HashAlg.class);
        private final Map<HashAlg, MessageDigest> hasher = new EnumMap<>(HashAlg.class);

        Replay(ImaReplayState start) {
            for (HashAlg bank : start.banks()) {
                running.put(bank, start.pcr(bank));
                extend.put(bank, bank.newDigest());
                hasher.put(bank, bank.newDigest());
            }
        }

        void extend(UntrustedImaEntry e) {
            for (Map.Entry<HashAlg, byte[]> b : running.entrySet()) {
                byte[] value = e.extendValue(b.getKey(), hasher.get(b.getKey()));
                MessageDigest m = extend.get(b.getKey());
                m.update(b.getValue());
                m.update(value);
                b.setValue(m.digest());
            }
        }
    }

    private static boolean matches(Map<HashAlg, byte[]> running, Map<HashAlg, byte[]> expected) {
        boolean all = true;
        for (Map.Entry<HashAlg, byte[]> e : expected.entrySet()) {
            all &= MessageDigest.isEqual(e.getValue(), running.get(e.getKey()));
        }
        return all;
    }
}
