package io.trustbit.measure.ima;

import io.trustbit.measure.HashAlg;
import java.util.Optional;

/**
 * File-digest algorithms as IMA names and numbers them: the name is the prefix of a {@code d-ng} field
 * ({@code sha256:}), the number is {@code enum hash_algo} of the kernel's include/uapi/linux/hash_info.h,
 * used in the {@code hash_algo} byte of a signature v2 header. Only the algorithms with a TPM bank
 * counterpart are accepted; MD5, RIPEMD, SM3 and Streebog digests are refused by name.
 */
public enum ImaHashAlgo {
    SHA1(2, "sha1", HashAlg.SHA1),
    SHA256(4, "sha256", HashAlg.SHA256),
    SHA384(5, "sha384", HashAlg.SHA384),
    SHA512(6, "sha512", HashAlg.SHA512);

    private final int kernelId;
    private final String imaName;
    private final HashAlg hash;

    ImaHashAlgo(int kernelId, String imaName, HashAlg hash) {
        this.kernelId = kernelId;
        this.imaName = imaName;
        this.hash = hash;
    }

    /** {@code enum hash_algo} value (hash_info.h). */
    public int kernelId() {
        return kernelId;
    }

    /** The name IMA prints before the digest ({@code sha256}). */
    public String imaName() {
        return imaName;
    }

    public HashAlg hash() {
        return hash;
    }

    public int size() {
        return hash.size();
    }

    public static Optional<ImaHashAlgo> fromKernelId(int id) {
        for (ImaHashAlgo a : values()) {
            if (a.kernelId == id) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    public static Optional<ImaHashAlgo> fromImaName(String name) {
        for (ImaHashAlgo a : values()) {
            if (a.imaName.equals(name)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** The algorithm of a hex digest of this many bytes (Keylime's digest lists carry no algorithm name). */
    public static Optional<ImaHashAlgo> fromSize(int size) {
        for (ImaHashAlgo a : values()) {
            if (a.size() == size) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
