package io.trustbit.verifier.internal;

import io.trustbit.attest.tpm2.KeyType;
import io.trustbit.attest.tpm2.QuoteSignatures;
import io.trustbit.attest.tpm2.Tpm2FormatException;
import io.trustbit.attest.tpm2.TpmtPublic;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A node's enrolled EK and AK, parsed once: the AK's public area, its verification key prepared for
 * Bouncy Castle (which then keeps its per-key precomputation between quotes), and the Qualified Name a quote
 * by this AK must carry. Everything here is a pure function of the two public areas stored with the node.
 */
public final class EnrolledKeys {
    private final byte[] akPublic;
    private final TpmtPublic ak;
    private final QuoteSignatures.PreparedAk preparedAk;
    private final byte[] akQualifiedName;

    private EnrolledKeys(byte[] akPublic, TpmtPublic ak, QuoteSignatures.PreparedAk preparedAk, byte[] akQualifiedName) {
        this.akPublic = akPublic;
        this.ak = ak;
        this.preparedAk = preparedAk;
        this.akQualifiedName = akQualifiedName;
    }

    /** Parses the enrolled public areas; a key the JCA cannot use is left unprepared (the quote check then says why). */
    public static EnrolledKeys of(byte[] ekPublic, byte[] akPublic) throws Tpm2FormatException {
        TpmtPublic ak = TpmtPublic.parse(akPublic);
        TpmtPublic ek = TpmtPublic.parse(ekPublic);
        QuoteSignatures.PreparedAk prepared;
        try {
            // ECDSA through Bouncy Castle (see FastEcdsa); RSA stays with the JDK
            prepared = QuoteSignatures.prepare(ak, ak.type() == KeyType.ECC ? FastEcdsa.BC : null);
        } catch (GeneralSecurityException e) {
            prepared = null;
        }
        return new EnrolledKeys(akPublic.clone(), ak, prepared, QualifiedNames.akUnderEk(ek, ak));
    }

    /** The enrolled AK's TPMT_PUBLIC bytes (a copy). */
    public byte[] akPublic() {
        return akPublic.clone();
    }

    /** Whether {@code other} is the enrolled AK, as a TPMT_PUBLIC or as tpm2-tools' TPM2B_PUBLIC. */
    boolean akPublicEquals(byte[] other) {
        return java.security.MessageDigest.isEqual(akPublic, PublicAreas.bare(other));
    }

    public TpmtPublic ak() {
        return ak;
    }

    /** Null if the JCA refused the AK's key; {@link QuoteSignatures#verify(TpmtPublic, byte[], io.trustbit.attest.tpm2.TpmtSignature)} then reports why. */
    public QuoteSignatures.PreparedAk preparedAk() {
        return preparedAk;
    }

    /** What qualifiedSigner must be: the AK's Qualified Name under the EK. */
    public byte[] akQualifiedName() {
        return akQualifiedName.clone();
    }

    boolean qualifiedNameEquals(byte[] qualifiedSigner) {
        return java.security.MessageDigest.isEqual(akQualifiedName, qualifiedSigner);
    }

    /**
     * Per-node cache of the parsed keys. An entry is used only while the node's stored EK and AK are exactly
     * the ones it was made from, so a re-enrollment with a new AK (on any replica) is seen at once; revocation
     * and activation on this replica also drop the entry. Node status is never cached.
     */
    public static final class Cache {
        private static final int MAX_ENTRIES = 100_000;
        private record Entry(String ekPublicB64, String akPublicB64, EnrolledKeys keys) {}

        private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

        /** The keys for a node row's base64 EK and AK public areas. */
        public EnrolledKeys get(String nodeId, String ekPublicB64, String akPublicB64) throws Tpm2FormatException {
            Entry e = entries.get(nodeId);
            if (e != null && e.ekPublicB64().equals(ekPublicB64) && e.akPublicB64().equals(akPublicB64)) {
                return e.keys();
            }
            Base64.Decoder d = Base64.getDecoder();
            EnrolledKeys k = of(d.decode(ekPublicB64), d.decode(akPublicB64));
            if (entries.size() >= MAX_ENTRIES) {
                entries.clear();
            }
            entries.put(nodeId, new Entry(ekPublicB64, akPublicB64, k));
            return k;
        }

        public void invalidate(String nodeId) {
            entries.remove(nodeId);
        }
    }
}
