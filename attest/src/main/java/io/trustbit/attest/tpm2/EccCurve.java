package io.trustbit.attest.tpm2;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.Optional;

/** TPM_ECC_CURVE values (Part 2 §6.4) with their JCA names and coordinate sizes. */
public enum EccCurve {
    NIST_P256(0x0003, "secp256r1", 32),
    NIST_P384(0x0004, "secp384r1", 48),
    NIST_P521(0x0005, "secp521r1", 66);

    private final int tcgId;
    private final String jcaName;
    private final int coordinateSize;

    EccCurve(int tcgId, String jcaName, int coordinateSize) {
        this.tcgId = tcgId;
        this.jcaName = jcaName;
        this.coordinateSize = coordinateSize;
    }

    /** The TPM_ECC_CURVE id. */
    public int tcgId() {
        return tcgId;
    }

    /** Standard name for {@link ECGenParameterSpec}. */
    public String jcaName() {
        return jcaName;
    }

    /** Size in bytes of one coordinate (and of a private scalar). */
    public int coordinateSize() {
        return coordinateSize;
    }

    /** The curve's domain parameters from the JDK provider. */
    public ECParameterSpec parameterSpec() {
        try {
            AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
            p.init(new ECGenParameterSpec(jcaName));
            return p.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK lacks curve " + jcaName, e);
        }
    }

    /** True if (x, y) satisfies y² = x³ + ax + b over the curve's prime field, with 0 ≤ x, y < p. */
    public boolean contains(BigInteger x, BigInteger y) {
        ECParameterSpec spec = parameterSpec();
        BigInteger p = ((java.security.spec.ECFieldFp) spec.getCurve().getField()).getP();
        if (x.signum() < 0 || y.signum() < 0 || x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
            return false;
        }
        BigInteger left = y.multiply(y).mod(p);
        BigInteger right = x.pow(3).add(spec.getCurve().getA().multiply(x)).add(spec.getCurve().getB()).mod(p);
        return left.equals(right);
    }

    public static Optional<EccCurve> fromTcgId(int id) {
        for (EccCurve c : values()) {
            if (c.tcgId == id) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
