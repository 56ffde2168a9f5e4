package io.trustbit.verifier.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Base64;

/** JWS ES256 (RFC 7518 §3.4: ECDSA P-256 with SHA-256, signature = R ‖ S, 64 bytes) and EC JWKs (RFC 7517/7638). */
public final class Es256 {
    public static final String JCA_SIGNATURE = "SHA256withECDSAinP1363Format";
    private static final Base64.Encoder B64U = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64U_DEC = Base64.getUrlDecoder();

    private Es256() {}

    public static String b64u(byte[] b) {
        return B64U.encodeToString(b);
    }

    public static byte[] unb64u(String s, String field) {
        if (s.indexOf('=') >= 0 || s.indexOf('+') >= 0 || s.indexOf('/') >= 0) {
            throw new IllegalArgumentException(field + ": not unpadded base64url");
        }
        try {
            return B64U_DEC.decode(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": not base64url", e);
        }
    }

    public static ECParameterSpec p256() {
        try {
            AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
            p.init(new ECGenParameterSpec("secp256r1"));
            return p.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK lacks P-256", e);
        }
    }

    /** Fixed-size big-endian coordinate. */
    static byte[] coord(BigInteger v) {
        byte[] raw = v.toByteArray();
        if (raw.length == 32) {
            return raw;
        }
        byte[] out = new byte[32];
        if (raw.length > 32) {
            System.arraycopy(raw, raw.length - 32, out, 0, 32);
        } else {
            System.arraycopy(raw, 0, out, 32 - raw.length, raw.length);
        }
        return out;
    }

    /** RFC 7638 thumbprint of a P-256 key: base64url(SHA-256 of the canonical JWK members). */
    public static String thumbprint(ECPublicKey key) {
        String canonical = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + b64u(coord(key.getW().getAffineX()))
                + "\",\"y\":\"" + b64u(coord(key.getW().getAffineY())) + "\"}";
        try {
            return b64u(MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ObjectNode jwk(ECPublicKey key) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("kty", "EC");
        n.put("crv", "P-256");
        n.put("x", b64u(coord(key.getW().getAffineX())));
        n.put("y", b64u(coord(key.getW().getAffineY())));
        n.put("use", "sig");
        n.put("alg", "ES256");
        n.put("kid", thumbprint(key));
        return n;
    }

    /** The P-256 public key of a JWK; anything else (other curve, RSA, point off the curve) is refused. */
    public static ECPublicKey fromJwk(com.fasterxml.jackson.databind.JsonNode n) {
        if (!"EC".equals(n.path("kty").asText()) || !"P-256".equals(n.path("crv").asText())) {
            throw new IllegalArgumentException("JWK is not an EC P-256 key");
        }
        if (n.has("alg") && !"ES256".equals(n.get("alg").asText())) {
            throw new IllegalArgumentException("JWK alg is not ES256");
        }
        byte[] x = unb64u(n.path("x").asText(), "JWK x");
        byte[] y = unb64u(n.path("y").asText(), "JWK y");
        if (x.length != 32 || y.length != 32) {
            throw new IllegalArgumentException("JWK coordinates must be 32 bytes");
        }
        try {
            ECPoint w = new ECPoint(new BigInteger(1, x), new BigInteger(1, y));
            if (!onCurve(w)) {
                throw new IllegalArgumentException("JWK point is not on P-256");
            }
            ECPublicKey key = (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, p256()));
            return key;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("JWK is not a valid P-256 point", e);
        }
    }

    /** y² = x³ + ax + b (mod p), coordinates in [0, p). */
    public static boolean onCurve(ECPoint w) {
        ECParameterSpec spec = p256();
        BigInteger p = ((java.security.spec.ECFieldFp) spec.getCurve().getField()).getP();
        BigInteger x = w.getAffineX();
        BigInteger y = w.getAffineY();
        if (x.signum() < 0 || y.signum() < 0 || x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
            return false;
        }
        BigInteger rhs = x.pow(3).add(spec.getCurve().getA().multiply(x)).add(spec.getCurve().getB()).mod(p);
        return y.modPow(BigInteger.TWO, p).equals(rhs);
    }
}
