package io.trustbit.attest.tpm2;

import io.trustbit.measure.HashAlg;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * An ordered list of PCR banks, each with a sorted set of PCR indexes: the content of a
 * TPML_PCR_SELECTION (TPM 2.0 Library Part 2 §10.9.7: UINT32 count ‖ count × TPMS_PCR_SELECTION),
 * where TPMS_PCR_SELECTION (§10.6.2) is {@code hash (TPMI_ALG_HASH) ‖ sizeofSelect (UINT8) ‖
 * pcrSelect[sizeofSelect]} and bit {@code i} of byte {@code j} selects PCR {@code 8j + i}.
 *
 * <p>Bank order matters: a quote's pcrDigest hashes the selected PCR values bank by bank in this
 * order, each bank's PCRs in ascending index order (Part 3 §18.4, Quote).
 */
public final class PcrSelection {
    /** Banks accepted in one selection (there are far fewer hash algorithms). */
    static final int MAX_BANKS = 16;
    /** sizeofSelect accepted: up to 256 PCRs (PC Client TPMs implement 24, sizeofSelect 3). */
    static final int MAX_SELECT_BYTES = 32;
    /** sizeofSelect written: PCR_SELECT_MIN of the PC Client platform. */
    static final int MIN_SELECT_BYTES = 3;

    /** One bank: the hash algorithm and its selected PCRs, ascending. */
    public record Bank(HashAlg alg, SortedSet<Integer> pcrs) {
        public Bank {
            pcrs = Collections.unmodifiableSortedSet(new TreeSet<>(pcrs));
        }
    }

    private final List<Bank> banks;

    private PcrSelection(List<Bank> banks) {
        this.banks = List.copyOf(banks);
    }

    /** A selection of the given banks in the given order; a bank may appear only once. */
    public static PcrSelection of(List<Bank> banks) {
        List<HashAlg> seen = new ArrayList<>();
        for (Bank b : banks) {
            if (seen.contains(b.alg())) {
                throw new IllegalArgumentException("bank " + b.alg().bankName() + " appears twice");
            }
            seen.add(b.alg());
            for (int pcr : b.pcrs()) {
                if (pcr < 0 || pcr >= MAX_SELECT_BYTES * 8) {
                    throw new IllegalArgumentException("PCR index " + pcr + " out of range");
                }
            }
        }
        return new PcrSelection(banks);
    }

    /**
     * Parses the text form {@code sha256:0-7,17-23} with banks joined by {@code +}
     * ({@code sha1:0,1+sha256:0-7}), as tpm2-tools writes selections.
     */
    public static PcrSelection parse(String text) {
        List<Bank> banks = new ArrayList<>();
        for (String part : text.strip().split("\\+", -1)) {
            int colon = part.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("PCR selection '" + part + "' lacks 'bank:'");
            }
            String bankName = part.substring(0, colon);
            HashAlg alg = HashAlg.fromBankName(bankName)
                    .orElseThrow(() -> new IllegalArgumentException("unknown PCR bank '" + bankName + "'"));
            SortedSet<Integer> pcrs = new TreeSet<>();
            String list = part.substring(colon + 1);
            if (!list.isEmpty()) {
                for (String item : list.split(",", -1)) {
                    int dash = item.indexOf('-');
                    int lo = index(dash < 0 ? item : item.substring(0, dash));
                    int hi = dash < 0 ? lo : index(item.substring(dash + 1));
                    if (hi < lo) {
                        throw new IllegalArgumentException("PCR range '" + item + "' is descending");
                    }
                    for (int i = lo; i <= hi; i++) {
                        pcrs.add(i);
                    }
                }
            }
            banks.add(new Bank(alg, pcrs));
        }
        return of(banks);
    }

    private static int index(String s) {
        if (s.isEmpty() || s.length() > 3 || !s.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("bad PCR index '" + s + "'");
        }
        int i = Integer.parseInt(s);
        if (i >= MAX_SELECT_BYTES * 8) {
            throw new IllegalArgumentException("PCR index " + i + " out of range");
        }
        return i;
    }

    /** Parses a marshalled TPML_PCR_SELECTION; every byte must belong to it. */
    public static PcrSelection parseTpml(byte[] bytes) throws Tpm2FormatException {
        TpmReader r = new TpmReader(bytes, "TPML_PCR_SELECTION");
        PcrSelection s = read(r, "");
        r.end();
        return s;
    }

    static PcrSelection read(TpmReader r, String prefix) throws Tpm2FormatException {
        int countAt = r.offset();
        int count = r.u32(prefix + "count");
        if (count < 0 || count > MAX_BANKS) {
            throw r.errorAt(prefix + "count", countAt, "count " + Integer.toUnsignedLong(count) + " exceeds " + MAX_BANKS);
        }
        List<Bank> banks = new ArrayList<>();
        List<HashAlg> seen = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            String f = prefix + "pcrSelections[" + n + "]";
            HashAlg alg = TpmtPublic.hash(r, f + ".hash");
            if (seen.contains(alg)) {
                throw r.error(f + ".hash", "bank " + alg.bankName() + " selected twice");
            }
            seen.add(alg);
            int sizeAt = r.offset();
            int size = r.u8(f + ".sizeofSelect");
            if (size > MAX_SELECT_BYTES) {
                throw r.errorAt(f + ".sizeofSelect", sizeAt, "sizeofSelect " + size + " exceeds " + MAX_SELECT_BYTES);
            }
            byte[] bits = r.bytes(f + ".pcrSelect", size);
            SortedSet<Integer> pcrs = new TreeSet<>();
            for (int i = 0; i < size * 8; i++) {
                if ((bits[i / 8] & (1 << (i % 8))) != 0) {
                    pcrs.add(i);
                }
            }
            banks.add(new Bank(alg, pcrs));
        }
        return new PcrSelection(banks);
    }

    /** Marshals as TPML_PCR_SELECTION with sizeofSelect at least 3 (PC Client PCR_SELECT_MIN). */
    public byte[] toTpml() {
        TpmWriter w = new TpmWriter();
        w.u32(banks.size());
        for (Bank b : banks) {
            int max = b.pcrs().isEmpty() ? 0 : b.pcrs().last();
            int size = Math.max(MIN_SELECT_BYTES, max / 8 + 1);
            byte[] bits = new byte[size];
            for (int pcr : b.pcrs()) {
                bits[pcr / 8] |= (byte) (1 << (pcr % 8));
            }
            w.u16(b.alg().tcgId()).u8(size).bytes(bits);
        }
        return w.toByteArray();
    }

    public List<Bank> banks() {
        return banks;
    }

    /** The selected PCRs of one bank (empty if the bank is not selected). */
    public SortedSet<Integer> pcrs(HashAlg alg) {
        for (Bank b : banks) {
            if (b.alg() == alg) {
                return b.pcrs();
            }
        }
        return Collections.emptySortedSet();
    }

    /** True if no PCR at all is selected. */
    public boolean isEmpty() {
        return banks.stream().allMatch(b -> b.pcrs().isEmpty());
    }

    /**
     * The quote digest of the supplied values: {@code H_alg(value₁ ‖ value₂ ‖ …)} in selection order.
     * The values must match the selection exactly in both directions: every selected PCR has a value
     * of its bank's digest size, and no unselected PCR or bank is supplied.
     *
     * @throws IllegalArgumentException naming the first PCR that is missing, extra or of the wrong size
     */
    public byte[] digest(HashAlg alg, Map<HashAlg, ? extends Map<Integer, byte[]>> values) {
        for (Map.Entry<HashAlg, ? extends Map<Integer, byte[]>> e : values.entrySet()) {
            SortedSet<Integer> selected = pcrs(e.getKey());
            for (Integer pcr : e.getValue().keySet()) {
                if (!selected.contains(pcr)) {
                    throw new IllegalArgumentException(e.getKey().bankName() + " PCR " + pcr + " is supplied but not selected");
                }
            }
        }
        MessageDigest md = alg.newDigest();
        for (Bank b : banks) {
            Map<Integer, byte[]> bank = values.get(b.alg());
            for (int pcr : b.pcrs()) {
                byte[] v = bank == null ? null : bank.get(pcr);
                if (v == null) {
                    throw new IllegalArgumentException(b.alg().bankName() + " PCR " + pcr + " is selected but not supplied");
                }
                if (v.length != b.alg().size()) {
                    throw new IllegalArgumentException(b.alg().bankName() + " PCR " + pcr + " has " + v.length
                            + " bytes, not " + b.alg().size());
                }
                md.update(v);
            }
        }
        return md.digest();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PcrSelection other && banks.equals(other.banks);
    }

    @Override
    public int hashCode() {
        return banks.hashCode();
    }

    /** The text form accepted by {@link #parse}, ranges collapsed. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (Bank b : banks) {
            StringBuilder sb = new StringBuilder(b.alg().bankName()).append(':');
            List<Integer> list = new ArrayList<>(b.pcrs());
            for (int i = 0; i < list.size(); ) {
                int j = i;
                while (j + 1 < list.size() && list.get(j + 1) == list.get(j) + 1) {
                    j++;
                }
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(list.get(i));
                if (j > i) {
                    sb.append('-').append(list.get(j));
                }
                i = j + 1;
            }
            parts.add(sb.toString());
        }
        return String.join("+", parts);
    }
}
