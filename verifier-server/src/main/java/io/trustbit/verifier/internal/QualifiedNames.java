package io.trustbit.verifier.internal;

import io.trustbit.attest.tpm2.TpmtPublic;
import io.trustbit.measure.HashAlg;
import java.nio.ByteBuffer;
import java.security.MessageDigest;

/**
 * Qualified Names (TPM 2.0 Part 1 §16 "Names"): a hierarchy's QN is its handle; an object's QN is
 * {@code nameAlg ‖ H_nameAlg(QN(parent) ‖ Name(object))}. A quote's qualifiedSigner is the signing key's QN,
 * so for an AK created under the EK (as tpm2_createak and our agent do) it is fixed by the EK and the AK.
 */
public final class QualifiedNames {
    /** TPM_RH_ENDORSEMENT (Part 2 §7.4). */
    public static final int TPM_RH_ENDORSEMENT = 0x4000000B;

    private QualifiedNames() {}

    /** QN of {@code ak} as a child of {@code ek}, the EK being a primary key of the endorsement hierarchy. */
    public static byte[] akUnderEk(TpmtPublic ek, TpmtPublic ak) {
        byte[] hierarchy = ByteBuffer.allocate(4).putInt(TPM_RH_ENDORSEMENT).array();
        byte[] qnEk = qualify(ek.nameAlg(), hierarchy, ek.name());
        return qualify(ak.nameAlg(), qnEk, ak.name());
    }

    private static byte[] qualify(HashAlg alg, byte[] parentQn, byte[] name) {
        MessageDigest md = alg.newDigest();
        md.update(parentQn);
        md.update(name);
        byte[] d = md.digest();
        return ByteBuffer.allocate(2 + d.length).putShort((short) alg.tcgId()).put(d).array();
    }
}
