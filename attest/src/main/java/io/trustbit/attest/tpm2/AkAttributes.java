package io.trustbit.attest.tpm2;

import java.util.ArrayList;
import java.util.List;

/**
 * The attribute check an attestation key must pass before a verifier trusts anything it signs
 * (TPM 2.0 Library Part 1 §25.4 "Attestation Key"; Part 2 §8.3): the key never leaves this TPM
 * (fixedTPM, fixedParent), was generated inside it (sensitiveDataOrigin), and only signs structures
 * the TPM itself produced (restricted + sign, not decrypt). It must also carry a signing scheme,
 * so the verifier knows the one scheme and hash its quotes may use.
 */
public final class AkAttributes {
    /** Attributes that must all be set. */
    public static final int REQUIRED = TpmaObject.FIXED_TPM | TpmaObject.FIXED_PARENT
            | TpmaObject.SENSITIVE_DATA_ORIGIN | TpmaObject.RESTRICTED | TpmaObject.SIGN_ENCRYPT;
    /** Attributes that must be clear. */
    public static final int FORBIDDEN = TpmaObject.DECRYPT;

    private AkAttributes() {
    }

    /** Throws naming every rule the key breaks. */
    public static void check(TpmtPublic ak) throws AkAttributeException {
        List<String> problems = new ArrayList<>();
        int a = ak.objectAttributes();
        require(problems, a, TpmaObject.FIXED_TPM, "fixedTPM");
        require(problems, a, TpmaObject.FIXED_PARENT, "fixedParent");
        require(problems, a, TpmaObject.SENSITIVE_DATA_ORIGIN, "sensitiveDataOrigin");
        require(problems, a, TpmaObject.RESTRICTED, "restricted");
        require(problems, a, TpmaObject.SIGN_ENCRYPT, "sign");
        if ((a & FORBIDDEN) != 0) {
            problems.add("decrypt must be clear");
        }
        if (ak.signingScheme().isEmpty()) {
            problems.add(String.format("scheme 0x%04x is not a signing scheme (RSASSA, RSAPSS or ECDSA required)", ak.schemeAlg()));
        } else if (ak.signingScheme().get().keyType() != ak.type()) {
            problems.add("scheme " + ak.signingScheme().get() + " does not fit a " + ak.type() + " key");
        }
        if (!problems.isEmpty()) {
            throw new AkAttributeException("attestation key rejected: " + String.join(", ", problems));
        }
    }

    private static void require(List<String> problems, int attributes, int bit, String name) {
        if ((attributes & bit) == 0) {
            problems.add(name + " must be set");
        }
    }

    /** An attestation key whose attributes or scheme are unfit. */
    public static final class AkAttributeException extends Exception {
        public AkAttributeException(String message) {
            super(message);
        }
    }
}
