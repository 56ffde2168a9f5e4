package io.trustbit.measure;

import java.security.MessageDigest;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/** Immutable PCR values by bank and index: a replay result, an expectation, or quoted values. */
public final class PcrValues {
    private final Map<HashAlg, SortedMap<Integer, byte[]>> banks;

    private PcrValues(Map<HashAlg, SortedMap<Integer, byte[]>> banks) {
        this.banks = banks;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Banks that hold at least one PCR, in {@link HashAlg} order. */
    public Set<HashAlg> banks() {
        return Collections.unmodifiableSet(banks.keySet());
    }

    /** PCR indices of one bank, ascending. */
    public Set<Integer> pcrs(HashAlg bank) {
        SortedMap<Integer, byte[]> m = banks.get(bank);
        return m == null ? Set.of() : Collections.unmodifiableSet(m.keySet());
    }

    /** A copy of one value. */
    public Optional<byte[]> get(HashAlg bank, int pcr) {
        SortedMap<Integer, byte[]> m = banks.get(bank);
        byte[] v = m == null ? null : m.get(pcr);
        return v == null ? Optional.empty() : Optional.of(v.clone());
    }

    public boolean isEmpty() {
        return banks.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PcrValues other) || !banks.keySet().equals(other.banks.keySet())) {
            return false;
        }
        for (Map.Entry<HashAlg, SortedMap<Integer, byte[]>> e : banks.entrySet()) {
            SortedMap<Integer, byte[]> a = e.getValue();
            SortedMap<Integer, byte[]> b = other.banks.get(e.getKey());
            if (!a.keySet().equals(b.keySet())) {
                return false;
            }
            for (Map.Entry<Integer, byte[]> p : a.entrySet()) {
                if (!MessageDigest.isEqual(p.getValue(), b.get(p.getKey()))) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 0;
        for (Map.Entry<HashAlg, SortedMap<Integer, byte[]>> e : banks.entrySet()) {
            h = 31 * h + e.getKey().hashCode() + e.getValue().keySet().hashCode();
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        banks.forEach((alg, m) -> {
            sb.append(alg.bankName()).append(":{");
            m.forEach((i, v) -> sb.append(i).append('=').append(io.trustbit.measure.internal.Hex.of(v)).append(' '));
            sb.append('}');
        });
        return sb.append('}').toString();
    }

    /** Collects values; a value's length must match its bank's digest size. */
    public static final class Builder {
        private final Map<HashAlg, SortedMap<Integer, byte[]>> banks = new EnumMap<>(HashAlg.class);

        private Builder() {}

        public Builder put(HashAlg bank, int pcr, byte[] value) {
            if (pcr < 0 || pcr >= PcrBank.PCR_COUNT) {
                throw new IllegalArgumentException("PCR index " + pcr + " outside 0.." + (PcrBank.PCR_COUNT - 1));
            }
            if (value.length != bank.size()) {
                throw new IllegalArgumentException(bank.bankName() + " PCR " + pcr + " needs " + bank.size()
                        + " bytes, got " + value.length);
            }
            banks.computeIfAbsent(bank, b -> new TreeMap<>()).put(pcr, value.clone());
            return this;
        }

        public PcrValues build() {
            Map<HashAlg, SortedMap<Integer, byte[]>> copy = new EnumMap<>(HashAlg.class);
            banks.forEach((k, v) -> copy.put(k, Collections.unmodifiableSortedMap(new TreeMap<>(v))));
            return new PcrValues(Collections.unmodifiableMap(copy));
        }
    }
}
