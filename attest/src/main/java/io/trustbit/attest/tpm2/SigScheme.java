package io.trustbit.attest.tpm2;

import java.util.Optional;

/** Signature schemes of attestation keys (TPMI_ALG_SIG_SCHEME, Part 2 §11.2.1.5) this package verifies. */
public enum SigScheme {
    RSASSA(0x0014, KeyType.RSA),
    RSAPSS(0x0016, KeyType.RSA),
    ECDSA(0x0018, KeyType.ECC);

    private final int tcgId;
    private final KeyType keyType;

    SigScheme(int tcgId, KeyType keyType) {
        this.tcgId = tcgId;
        this.keyType = keyType;
    }

    /** The TPM_ALG_ID. */
    public int tcgId() {
        return tcgId;
    }

    /** The key type the scheme needs. */
    public KeyType keyType() {
        return keyType;
    }

    public static Optional<SigScheme> fromTcgId(int id) {
        for (SigScheme s : values()) {
            if (s.tcgId == id) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
