package io.trustbit.attest.tpm2;

import io.trustbit.measure.HashAlg;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.Optional;

/**
 * The public area of an RSA or ECC TPM object, parsed from untrusted bytes.
 *
 * <p>TPM 2.0 Library Part 2 (rev. 1.59) §12.2.4 TPMT_PUBLIC:
 * {@code type (TPMI_ALG_PUBLIC) ‖ nameAlg (TPMI_ALG_HASH) ‖ objectAttributes (TPMA_OBJECT, §8.3) ‖
 * authPolicy (TPM2B_DIGEST) ‖ parameters (TPMU_PUBLIC_PARMS, §12.2.3.7) ‖ unique (TPMU_PUBLIC_ID, §12.2.3.2)}.
 * RSA parameters (§12.2.3.5 TPMS_RSA_PARMS): symmetric (TPMT_SYM_DEF_OBJECT §11.1.7) ‖ scheme
 * (TPMT_RSA_SCHEME §11.2.4.2) ‖ keyBits (UINT16) ‖ exponent (UINT32, 0 means 2¹⁶+1); unique is a
 * TPM2B_PUBLIC_KEY_RSA. ECC parameters (§12.2.3.6 TPMS_ECC_PARMS): symmetric ‖ scheme (TPMT_ECC_SCHEME
 * §11.2.5.6) ‖ curveID (TPMI_ECC_CURVE) ‖ kdf (TPMT_KDF_SCHEME §11.2.3.3); unique is a TPMS_ECC_POINT
 * (§11.2.5.2, two TPM2B_ECC_PARAMETER). Other object types (KEYEDHASH, SYMCIPHER) are rejected.
 */
public final class TpmtPublic {
    /** Largest RSA modulus accepted: 4096 bits (MAX_RSA_KEY_BYTES). */
    static final int MAX_RSA_BYTES = 512;
    /** Largest ECC coordinate accepted (MAX_ECC_KEY_BYTES of the largest curve a TPM may implement). */
    static final int MAX_ECC_BYTES = 128;
    /** Largest digest (TPMU_HA): SHA-512. */
    static final int MAX_DIGEST = 64;

    /** A TPMT_SYM_DEF_OBJECT: the algorithm ({@code 0x0010} = TPM_ALG_NULL) and, unless NULL, key bits and mode. */
    public record SymDef(int algorithm, int keyBits, int mode) {
        public boolean isNull() {
            return algorithm == AlgIds.NULL;
        }
    }

    private final byte[] encoded;
    private final KeyType type;
    private final HashAlg nameAlg;
    private final int objectAttributes;
    private final byte[] authPolicy;
    private final SymDef symmetric;
    private final int schemeAlg;
    private final HashAlg schemeHash;
    private final int rsaKeyBits;
    private final long rsaExponent;
    private final EccCurve curve;
    private final int kdfAlg;
    private final byte[] rsaModulus;
    private final byte[] eccX;
    private final byte[] eccY;

    private TpmtPublic(byte[] encoded, KeyType type, HashAlg nameAlg, int objectAttributes, byte[] authPolicy,
            SymDef symmetric, int schemeAlg, HashAlg schemeHash, int rsaKeyBits, long rsaExponent,
            EccCurve curve, int kdfAlg, byte[] rsaModulus, byte[] eccX, byte[] eccY) {
        this.encoded = encoded;
        this.type = type;
        this.nameAlg = nameAlg;
        this.objectAttributes = objectAttributes;
        this.authPolicy = authPolicy;
        this.symmetric = symmetric;
        this.schemeAlg = schemeAlg;
        this.schemeHash = schemeHash;
        this.rsaKeyBits = rsaKeyBits;
        this.rsaExponent = rsaExponent;
        this.curve = curve;
        this.kdfAlg = kdfAlg;
        this.rsaModulus = rsaModulus;
        this.eccX = eccX;
        this.eccY = eccY;
    }

    /** Parses a marshalled TPMT_PUBLIC; every byte must belong to it. */
    public static TpmtPublic parse(byte[] bytes) throws Tpm2FormatException {
        TpmReader r = new TpmReader(bytes, "TPMT_PUBLIC");
        TpmtPublic p = read(r);
        r.end();
        return p;
    }

    /**
     * Parses a marshalled TPM2B_PUBLIC (Part 2 §12.2.5: UINT16 size ‖ TPMT_PUBLIC), as tpm2-tools
     * writes it; the size must match the structure exactly.
     */
    public static TpmtPublic parseTpm2b(byte[] bytes) throws Tpm2FormatException {
        TpmReader outer = new TpmReader(bytes, "TPM2B_PUBLIC");
        byte[] inner = outer.tpm2b("publicArea", 0xFFFF);
        outer.end();
        return parse(inner);
    }

    static TpmtPublic read(TpmReader r) throws Tpm2FormatException {
        int start = r.offset();
        int typeAt = r.offset();
        int typeId = r.u16("type");
        KeyType type = KeyType.fromTcgId(typeId)
                .orElseThrow(() -> r.errorAt("type", typeAt, String.format("unsupported object type 0x%04x", typeId)));
        HashAlg nameAlg = hash(r, "nameAlg");
        int attributes = r.u32("objectAttributes");
        byte[] authPolicy = r.tpm2b("authPolicy", MAX_DIGEST);
        SymDef sym = symDef(r);
        int schemeAt = r.offset();
        int schemeAlg = r.u16("parameters.scheme.scheme");
        HashAlg schemeHash = null;
        int rsaKeyBits = 0;
        long exponent = 0;
        EccCurve curve = null;
        int kdfAlg = AlgIds.NULL;
        byte[] modulus = null;
        byte[] x = null;
        byte[] y = null;
        if (type == KeyType.RSA) {
            switch (schemeAlg) {
                case AlgIds.NULL, AlgIds.RSAES -> { }
                case AlgIds.RSASSA, AlgIds.RSAPSS, AlgIds.OAEP -> schemeHash = hash(r, "parameters.scheme.details.hashAlg");
                default -> throw r.errorAt("parameters.scheme.scheme", schemeAt,
                        String.format("unsupported RSA scheme 0x%04x", schemeAlg));
            }
            int bitsAt = r.offset();
            rsaKeyBits = r.u16("parameters.keyBits");
            if (rsaKeyBits < 1024 || rsaKeyBits > MAX_RSA_BYTES * 8 || rsaKeyBits % 8 != 0) {
                throw r.errorAt("parameters.keyBits", bitsAt, "unsupported RSA key size " + rsaKeyBits);
            }
            exponent = Integer.toUnsignedLong(r.u32("parameters.exponent"));
            int modAt = r.offset();
            modulus = r.tpm2b("unique.rsa", MAX_RSA_BYTES);
            if (modulus.length != 0 && modulus.length != rsaKeyBits / 8) {
                throw r.errorAt("unique.rsa.size", modAt,
                        "modulus of " + modulus.length + " bytes for keyBits " + rsaKeyBits);
            }
        } else {
            switch (schemeAlg) {
                case AlgIds.NULL -> { }
                case AlgIds.ECDSA, AlgIds.ECDH, AlgIds.SM2, AlgIds.ECSCHNORR, AlgIds.ECMQV ->
                        schemeHash = hash(r, "parameters.scheme.details.hashAlg");
                case AlgIds.ECDAA -> {
                    schemeHash = hash(r, "parameters.scheme.details.hashAlg");
                    r.u16("parameters.scheme.details.count");
                }
                default -> throw r.errorAt("parameters.scheme.scheme", schemeAt,
                        String.format("unsupported ECC scheme 0x%04x", schemeAlg));
            }
            int curveAt = r.offset();
            int curveId = r.u16("parameters.curveID");
            curve = EccCurve.fromTcgId(curveId)
                    .orElseThrow(() -> r.errorAt("parameters.curveID", curveAt, String.format("unsupported curve 0x%04x", curveId)));
            int kdfAt = r.offset();
            kdfAlg = r.u16("parameters.kdf.scheme");
            switch (kdfAlg) {
                case AlgIds.NULL -> { }
                case AlgIds.KDF1_SP800_56A, AlgIds.KDF2, AlgIds.KDF1_SP800_108, AlgIds.MGF1 ->
                        hash(r, "parameters.kdf.details.hashAlg");
                default -> throw r.errorAt("parameters.kdf.scheme", kdfAt, String.format("unsupported KDF 0x%04x", kdfAlg));
            }
            int xAt = r.offset();
            x = r.tpm2b("unique.ecc.x", MAX_ECC_BYTES);
            int yAt = r.offset();
            y = r.tpm2b("unique.ecc.y", MAX_ECC_BYTES);
            if (x.length > curve.coordinateSize()) {
                throw r.errorAt("unique.ecc.x.size", xAt, "longer than a " + curve + " coordinate");
            }
            if (y.length > curve.coordinateSize()) {
                throw r.errorAt("unique.ecc.y.size", yAt, "longer than a " + curve + " coordinate");
            }
        }
        byte[] encoded = Arrays.copyOfRange(r.buffer(), start, r.offset());
        return new TpmtPublic(encoded, type, nameAlg, attributes, authPolicy, sym, schemeAlg, schemeHash,
                rsaKeyBits, exponent, curve, kdfAlg, modulus, x, y);
    }

    private static SymDef symDef(TpmReader r) throws Tpm2FormatException {
        int at = r.offset();
        int alg = r.u16("parameters.symmetric.algorithm");
        if (alg == AlgIds.NULL) {
            return new SymDef(alg, 0, AlgIds.NULL);
        }
        if (alg != AlgIds.AES && alg != AlgIds.SM4 && alg != AlgIds.CAMELLIA) {
            throw r.errorAt("parameters.symmetric.algorithm", at, String.format("unsupported symmetric algorithm 0x%04x", alg));
        }
        int bits = r.u16("parameters.symmetric.keyBits");
        int mode = r.u16("parameters.symmetric.mode");
        return new SymDef(alg, bits, mode);
    }

    static HashAlg hash(TpmReader r, String field) throws Tpm2FormatException {
        int at = r.offset();
        int id = r.u16(field);
        return HashAlg.fromTcgId(id)
                .orElseThrow(() -> r.errorAt(field, at, String.format("unsupported hash algorithm 0x%04x", id)));
    }

    /** The exact marshalled bytes this was parsed from. */
    public byte[] encoded() {
        return encoded.clone();
    }

    public KeyType type() {
        return type;
    }

    public HashAlg nameAlg() {
        return nameAlg;
    }

    /** TPMA_OBJECT bits (Part 2 §8.3); see {@link TpmaObject}. */
    public int objectAttributes() {
        return objectAttributes;
    }

    public byte[] authPolicy() {
        return authPolicy.clone();
    }

    public SymDef symmetric() {
        return symmetric;
    }

    /** The scheme's TPM_ALG_ID; {@code 0x0010} (TPM_ALG_NULL) if the key has none. */
    public int schemeAlg() {
        return schemeAlg;
    }

    /** The scheme's hash, if the scheme has one. */
    public Optional<HashAlg> schemeHash() {
        return Optional.ofNullable(schemeHash);
    }

    /** The signing scheme, if the key's scheme is one of {@link SigScheme}. */
    public Optional<SigScheme> signingScheme() {
        return SigScheme.fromTcgId(schemeAlg);
    }

    /** RSA key size in bits (0 for ECC). */
    public int rsaKeyBits() {
        return rsaKeyBits;
    }

    /** The RSA public exponent (65537 when the structure holds 0). */
    public long rsaExponent() {
        return rsaExponent == 0 ? 65537 : rsaExponent;
    }

    /** RSA modulus, big-endian unsigned (empty in a template). */
    public byte[] rsaModulus() {
        requireType(KeyType.RSA);
        return rsaModulus.clone();
    }

    public EccCurve curve() {
        requireType(KeyType.ECC);
        return curve;
    }

    /** The ECC KDF scheme id (TPM_ALG_NULL for keys made from the standard templates). */
    public int kdfAlg() {
        return kdfAlg;
    }

    public byte[] eccX() {
        requireType(KeyType.ECC);
        return eccX.clone();
    }

    public byte[] eccY() {
        requireType(KeyType.ECC);
        return eccY.clone();
    }

    private void requireType(KeyType t) {
        if (type != t) {
            throw new IllegalStateException("not an " + t + " key");
        }
    }

    /** True if the attribute bits {@code mask} are all set. */
    public boolean has(int mask) {
        return (objectAttributes & mask) == mask;
    }

    /** The object's Name (Part 1 §16): nameAlg (UINT16) ‖ H_nameAlg(TPMT_PUBLIC). */
    public byte[] name() {
        byte[] digest = nameAlg.digest(encoded);
        byte[] name = new byte[2 + digest.length];
        name[0] = (byte) (nameAlg.tcgId() >>> 8);
        name[1] = (byte) nameAlg.tcgId();
        System.arraycopy(digest, 0, name, 2, digest.length);
        return name;
    }

    /** Qualified Name of the endorsement hierarchy: its handle TPM_RH_ENDORSEMENT (Part 1 §16.6). */
    public static final byte[] ENDORSEMENT_HIERARCHY_QN = {0x40, 0x00, 0x00, 0x0B};

    /**
     * The object's Qualified Name under a parent (Part 1 §16.6): nameAlg ‖ H_nameAlg(QN(parent) ‖
     * Name). A primary key's parent QN is its hierarchy's handle. TPMS_ATTEST.qualifiedSigner holds
     * the signer's QN: for an AK created under the EK it equals
     * {@code ak.qualifiedName(ek.qualifiedName(ENDORSEMENT_HIERARCHY_QN))}.
     */
    public byte[] qualifiedName(byte[] parentQualifiedName) {
        java.security.MessageDigest md = nameAlg.newDigest();
        md.update(parentQualifiedName);
        md.update(name());
        byte[] digest = md.digest();
        byte[] qn = new byte[2 + digest.length];
        qn[0] = (byte) (nameAlg.tcgId() >>> 8);
        qn[1] = (byte) nameAlg.tcgId();
        System.arraycopy(digest, 0, qn, 2, digest.length);
        return qn;
    }

    /** The public key for the JCA; ECC points must lie on the curve, RSA moduli must be of keyBits size. */
    public PublicKey toJcaPublicKey() throws InvalidKeyException {
        try {
            if (type == KeyType.RSA) {
                if (rsaModulus.length != rsaKeyBits / 8 || (rsaModulus[0] & 0x80) == 0) {
                    throw new InvalidKeyException("RSA modulus is not " + rsaKeyBits + " bits");
                }
                return KeyFactory.getInstance("RSA").generatePublic(
                        new RSAPublicKeySpec(new BigInteger(1, rsaModulus), BigInteger.valueOf(rsaExponent())));
            }
            BigInteger bx = new BigInteger(1, eccX);
            BigInteger by = new BigInteger(1, eccY);
            if (eccX.length == 0 || eccY.length == 0 || !curve.contains(bx, by)) {
                throw new InvalidKeyException("ECC point is not on " + curve);
            }
            return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(bx, by), curve.parameterSpec()));
        } catch (InvalidKeyException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new InvalidKeyException("unusable public key: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TpmtPublic other && Arrays.equals(encoded, other.encoded);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encoded);
    }

    @Override
    public String toString() {
        return "TpmtPublic[" + type + (type == KeyType.ECC ? " " + curve : " " + rsaKeyBits) + ", nameAlg " + nameAlg
                + String.format(", attributes 0x%08x, scheme 0x%04x]", objectAttributes, schemeAlg);
    }
}
