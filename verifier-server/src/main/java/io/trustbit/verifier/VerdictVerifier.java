package io.trustbit.verifier;

import com.fasterxml.jackson.databind.JsonNode;
import io.trustbit.verifier.internal.Es256;
import io.trustbit.verifier.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a verdict JWT offline against a JWKS: header exactly ES256, {@code typ} {@value #TYPE}, a known
 * {@code kid}; signature; {@code iss} {@value #ISSUER}; {@code iat}/{@code exp}. Nothing else is accepted (no
 * {@code none}, no HMAC, no embedded keys, no JWT of another issuer or kind signed by the same key).
 */
public final class VerdictVerifier {
    /** Largest token accepted. */
    public static final int MAX_TOKEN = 64 * 1024;
    /** The {@code iss} of every verdict. */
    public static final String ISSUER = "trustbit-verifier";
    /** The header's {@code typ} of every verdict (RFC 7519 §5.1). */
    public static final String TYPE = "JWT";
    private static final long SKEW_SECONDS = 60;

    private final Map<String, ECPublicKey> keys;

    private VerdictVerifier(Map<String, ECPublicKey> keys) {
        this.keys = Map.copyOf(keys);
    }

    /** A verdict whose signature and validity period checked out. */
    public record Verified(String status, String nodeId, String nonce, String policyId, String policyDigest,
            Instant issuedAt, Instant expiresAt, List<String> reasons, String kid) {
        public boolean affirming() {
            return "affirming".equals(status);
        }
    }

    /** Parses a JWKS document ({@code {"keys":[...]}}); only EC P-256 keys with a {@code kid} are kept. */
    public static VerdictVerifier fromJwks(byte[] jwks) throws VerdictException {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(jwks);
        } catch (IOException e) {
            throw new VerdictException("JWKS is not valid JSON", e);
        }
        JsonNode list = root == null ? null : root.get("keys");
        if (list == null || !list.isArray()) {
            throw new VerdictException("JWKS has no keys array");
        }
        Map<String, ECPublicKey> keys = new HashMap<>();
        for (JsonNode k : list) {
            if (!k.hasNonNull("kid")) {
                continue;
            }
            try {
                ECPublicKey key = Es256.fromJwk(k);
                if (!Es256.thumbprint(key).equals(k.get("kid").asText())) {
                    throw new VerdictException("JWKS key " + k.get("kid").asText() + ": kid is not its thumbprint");
                }
                keys.put(k.get("kid").asText(), key);
            } catch (IllegalArgumentException e) {
                // other key types may share the set; they can never verify an ES256 verdict
            }
        }
        if (keys.isEmpty()) {
            throw new VerdictException("JWKS has no EC P-256 key");
        }
        return new VerdictVerifier(keys);
    }

    /** Verifies {@code token} at time {@code now}; any failure is a {@link VerdictException}. */
    public Verified verify(String token, Instant now) throws VerdictException {
        if (token.length() > MAX_TOKEN) {
            throw new VerdictException("token exceeds " + MAX_TOKEN + " characters");
        }
        String[] parts = token.strip().split("\\.", -1);
        if (parts.length != 3) {
            throw new VerdictException("token is not a compact JWS (three parts)");
        }
        JsonNode header = part(parts[0], "header");
        if (!"ES256".equals(header.path("alg").asText()) || header.has("jwk") || header.has("jku")
                || header.has("x5u") || header.has("crit")) {
            throw new VerdictException("token header must be alg ES256 without embedded or remote keys");
        }
        if (!TYPE.equals(header.path("typ").asText(null))) {
            throw new VerdictException("token header typ must be " + TYPE);
        }
        String kid = header.path("kid").asText();
        ECPublicKey key = keys.get(kid);
        if (key == null) {
            throw new VerdictException("token key id '" + kid + "' is not in the JWKS");
        }
        byte[] sig;
        try {
            sig = Es256.unb64u(parts[2], "signature");
        } catch (IllegalArgumentException e) {
            throw new VerdictException(e.getMessage(), e);
        }
        if (sig.length != 64) {
            throw new VerdictException("ES256 signature must be 64 bytes, not " + sig.length);
        }
        try {
            Signature v = Signature.getInstance(Es256.JCA_SIGNATURE);
            v.initVerify(key);
            v.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!v.verify(sig)) {
                throw new VerdictException("token signature does not verify");
            }
        } catch (GeneralSecurityException e) {
            throw new VerdictException("token signature does not verify", e);
        }
        JsonNode claims = part(parts[1], "claims");
        JsonNode iss = claims.get("iss");
        if (iss == null || !ISSUER.equals(iss.textValue())) {
            throw new VerdictException("token iss must be " + ISSUER);
        }
        long iat = claims.path("iat").asLong(-1);
        long exp = claims.path("exp").asLong(-1);
        if (iat < 0 || exp <= iat) {
            throw new VerdictException("token iat/exp missing or inconsistent");
        }
        if (now.getEpochSecond() >= exp) {
            throw new VerdictException("token expired at " + Instant.ofEpochSecond(exp));
        }
        if (iat > now.getEpochSecond() + SKEW_SECONDS) {
            throw new VerdictException("token issued in the future");
        }
        String status = claims.path("ear.status").asText("");
        if (!List.of("affirming", "warning", "contraindicated").contains(status)) {
            throw new VerdictException("token ear.status '" + status + "' is not an EAR status");
        }
        List<String> reasons = new ArrayList<>();
        for (JsonNode r : claims.path("trustbit.reasons")) {
            reasons.add(r.path("check").asText() + ": " + r.path("detail").asText());
        }
        JsonNode pol = claims.path("trustbit.policy");
        return new Verified(status, claims.path("trustbit.node-id").asText(), claims.path("eat_nonce").asText(null),
                pol.path("id").asText(null), pol.path("digest").asText(null), Instant.ofEpochSecond(iat),
                Instant.ofEpochSecond(exp), List.copyOf(reasons), kid);
    }

    private static JsonNode part(String b64, String what) throws VerdictException {
        try {
            JsonNode n = Json.MAPPER.readTree(Es256.unb64u(b64, what));
            if (n == null || !n.isObject()) {
                throw new VerdictException("token " + what + " is not a JSON object");
            }
            return n;
        } catch (IOException | IllegalArgumentException e) {
            throw new VerdictException("token " + what + " is not base64url JSON", e);
        }
    }
}
