package io.trustbit.measure;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Optional;

/**
 * Hash algorithms of TPM 2.0 PCR banks, with their TCG algorithm ids (TCG Algorithm Registry,
 * rev. 1.32, table 3, TPM_ALG_ID) and digest sizes.
 */
public enum HashAlg {
    SHA1(0x0004, 20, "SHA-1", "sha1"),
    SHA256(0x000B, 32, "SHA-256", "sha256"),
    SHA384(0x000C, 48, "SHA-384", "sha384"),
    SHA512(0x000D, 64, "SHA-512", "sha512");

    private final int tcgId;
    private final int size;
    private final String jcaName;
    private final String bankName;

    HashAlg(int tcgId, int size, String jcaName, String bankName) {
        this.tcgId = tcgId;
        this.size = size;
        this.jcaName = jcaName;
        this.bankName = bankName;
    }

    /** TPM_ALG_ID of this algorithm. */
    public int tcgId() {
        return tcgId;
    }

    /** Digest size in bytes. */
    public int size() {
        return size;
    }

    /** Name for {@link MessageDigest#getInstance(String)}. */
    public String jcaName() {
        return jcaName;
    }

    /** Lower-case bank name as tpm2-tools and our JSON use it: {@code sha1}, {@code sha256}, ... */
    public String bankName() {
        return bankName;
    }

    /** A new digest instance (the JDK providers always have these four). */
    public MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(jcaName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK lacks " + jcaName, e);
        }
    }

    /** The digest of {@code data}. */
    public byte[] digest(byte[] data) {
        return newDigest().digest(data);
    }

    /** The algorithm with this TPM_ALG_ID, if it is one of ours. */
    public static Optional<HashAlg> fromTcgId(int id) {
        for (HashAlg a : values()) {
            if (a.tcgId == id) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** The algorithm with this bank name ({@code sha256}, case-insensitive). */
    public static Optional<HashAlg> fromBankName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (HashAlg a : values()) {
            if (a.bankName.equals(n)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
