package io.trustbit.attest;

import io.trustbit.attest.tpm2.KeyTemplates;
import io.trustbit.attest.tpm2.TpmtPublic;

/**
 * The two standard endorsement keys, with the NV index of their certificate (TCG EK Credential Profile
 * 2.5 §2.2.1.5: RSA 2048 certificate at 0x01C00002, ECC P-256 at 0x01C0000A) and their template
 * (L-1, L-2).
 */
public enum EkType {
    RSA(0x01C00002, "rsa"),
    ECC(0x01C0000A, "ecc");

    private final int certificateIndex;
    private final String label;

    EkType(int certificateIndex, String label) {
        this.certificateIndex = certificateIndex;
        this.label = label;
    }

    public int certificateIndex() {
        return certificateIndex;
    }

    /** {@code rsa} or {@code ecc}. */
    public String label() {
        return label;
    }

    public TpmtPublic template() {
        return this == RSA ? KeyTemplates.ekRsa2048() : KeyTemplates.ekEccP256();
    }

    public static EkType fromLabel(String s) {
        for (EkType t : values()) {
            if (t.label.equals(s)) {
                return t;
            }
        }
        throw new IllegalArgumentException("EK type '" + s + "' must be rsa or ecc");
    }
}
