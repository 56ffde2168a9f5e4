package io.trustbit.verifier.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.util.List;

/**
 * Signs verdicts as EAR-style JWTs (draft-ietf-rats-ear: {@code ear.status}, {@code ear.verifier-id},
 * {@code submods}) with ES256. The key id is the RFC 7638 thumbprint of the public key.
 */
public final class VerdictSigner {
    public static final String EAR_PROFILE = "tag:github.com,2023:veraison/ear";

    private final PrivateKey privateKey;
    private final ECPublicKey publicKey;
    private final String kid;
    private final String encodedHeader;
    private final String issuer;
    private final ThreadLocal<Signature> signatures;

    public VerdictSigner(KeyPair keys, String issuer) {
        this.privateKey = FastEcdsa.bcPrivateKey(keys.getPrivate());
        this.publicKey = (ECPublicKey) keys.getPublic();
        this.kid = Es256.thumbprint(publicKey);
        this.issuer = issuer;
        this.encodedHeader = Es256.b64u(("{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"" + kid + "\"}")
                .getBytes(StandardCharsets.US_ASCII));
        this.signatures = ThreadLocal.withInitial(FastEcdsa::es256);
    }

    public String kid() {
        return kid;
    }

    public ECPublicKey publicKey() {
        return publicKey;
    }

    /** One check that failed (or, for a warning, that noted something). */
    public record Reason(Check check, String detail) {}

    /** The claims of one verdict. */
    public record Claims(String nodeId, EarStatus status, List<Reason> reasons, String nonceHex, String policyId,
            String policyDigest, long issuedAtSeconds, long expiresAtSeconds) {}

    public String sign(Claims c) {
        // written field by field (no intermediate tree): the same claims, in the same order, on every verdict
        java.io.ByteArrayOutputStream json = new java.io.ByteArrayOutputStream(512);
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(json)) {
            g.writeStartObject();
            g.writeStringField("iss", issuer);
            g.writeStringField("sub", c.nodeId());
            g.writeNumberField("iat", c.issuedAtSeconds());
            g.writeNumberField("exp", c.expiresAtSeconds());
            g.writeStringField("eat_profile", EAR_PROFILE);
            if (c.nonceHex() != null) {
                g.writeStringField("eat_nonce", c.nonceHex());
            }
            g.writeStringField("ear.status", c.status().wire());
            g.writeObjectFieldStart("ear.verifier-id");
            g.writeStringField("developer", "trustbit");
            g.writeStringField("build", "trustbit-verifier 0.1.0");
            g.writeEndObject();
            g.writeStringField("trustbit.node-id", c.nodeId());
            g.writeObjectFieldStart("trustbit.policy");
            g.writeStringField("id", c.policyId());
            g.writeStringField("digest", c.policyDigest());
            g.writeEndObject();
            g.writeArrayFieldStart("trustbit.reasons");
            for (Reason r : c.reasons()) {
                g.writeStartObject();
                g.writeStringField("check", r.check().id());
                g.writeStringField("detail", r.detail());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeObjectFieldStart("submods");
            g.writeObjectFieldStart("trustbit-drtm");
            g.writeStringField("ear.status", c.status().wire());
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("verdict claims serialisation", e);
        }
        String signingInput = encodedHeader + "." + Es256.b64u(json.toByteArray());
        try {
            Signature s = signatures.get();
            s.initSign(privateKey);
            s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + Es256.b64u(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("verdict signing failed", e);
        }
    }
}
