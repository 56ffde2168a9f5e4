package io.trustbit.attest.tpm2;

import java.util.Optional;

/** TPMI_ALG_PUBLIC values this package understands (Part 2 §12.2.2): asymmetric keys only. */
public enum KeyType {
    RSA(0x0001),
    ECC(0x0023);

    private final int tcgId;

    KeyType(int tcgId) {
        this.tcgId = tcgId;
    }

    /** The TPM_ALG_ID. */
    public int tcgId() {
        return tcgId;
    }

    public static Optional<KeyType> fromTcgId(int id) {
        for (KeyType t : values()) {
            if (t.tcgId == id) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
