package io.trustbit.verifier.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
    public record Reason(String check, String detail) {}

    /** The claims of one verdict. */
    public record Claims(String nodeId, String status, List<Reason> reasons, String nonceHex, String policyId,
            String policyDigest, long issuedAtSeconds, long expiresAtSeconds) {}

    public String sign(Claims c) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("iss", issuer);
        body.put("sub", c.nodeId());
        body.put("iat", c.issuedAtSeconds());
        body.put("exp", c.expiresAtSeconds());
        body.put("eat_profile", EAR_PROFILE);
        if (c.nonceHex() != null) {
            body.put("eat_nonce", c.nonceHex());
        }
        body.put("ear.status", c.status());
        ObjectNode vid = body.putObject("ear.verifier-id");
        vid.put("developer", "trustbit");
        vid.put("build", "trustbit-verifier 0.1.0");
        body.put("trustbit.node-id", c.nodeId());
        ObjectNode pol = body.putObject("trustbit.policy");
        pol.put("id", c.policyId());
        pol.put("digest", c.policyDigest());
        ArrayNode reasons = body.putArray("trustbit.reasons");
        for (Reason r : c.reasons()) {
            reasons.addObject().put("check", r.check()).put("detail", r.detail());
        }
        body.putObject("submods").putObject("trustbit-drtm").put("ear.status", c.status());
        String signingInput = encodedHeader + "." + Es256.b64u(Json.write(body));
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
