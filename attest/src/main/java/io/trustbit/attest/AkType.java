package io.trustbit.attest;

import io.trustbit.attest.tpm2.KeyTemplates;
import io.trustbit.attest.tpm2.TpmtPublic;

/** Attestation key algorithms: ECC P-256 with ECDSA-SHA256 (default) or RSA 2048 with RSASSA-SHA256. */
public enum AkType {
    ECC_P256("ecc"),
    RSA_2048("rsa");

    private final String label;

    AkType(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public TpmtPublic template() {
        return this == ECC_P256 ? KeyTemplates.akEccP256() : KeyTemplates.akRsa2048();
    }

    public static AkType fromLabel(String s) {
        for (AkType t : values()) {
            if (t.label.equals(s)) {
                return t;
            }
        }
        throw new IllegalArgumentException("AK type '" + s + "' must be ecc or rsa");
    }
}
