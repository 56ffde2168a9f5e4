package io.trustbit.cli.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.trustbit.cli.Cli;
import io.trustbit.verifier.VerdictVerifier;
import io.trustbit.verifier.VerifierConfig;
import io.trustbit.verifier.VerifierServer;
import io.trustbit.verifier.internal.EarStatus;
import io.trustbit.verifier.internal.KeyFiles;
import io.trustbit.verifier.internal.VerdictSigner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verdicts cross-checked with an independent JOSE implementation (nimbus-jose-jwt): the verifier's verdicts and
 * JWKS verify under nimbus with the issuer and type required, and tokens nimbus makes with the verifier's own key
 * are accepted by {@code trustbit verdict check} only when issuer, type, algorithm and lifetime are right.
 */
class VerdictCrossCheckTest {
    @TempDir
    static Path dir;

    @Test
    void verdictsAgreeWithNimbus() throws Exception {
        try (VerifierServer server = VerifierServer.start(VerifierConfig.builder(dir.resolve("data")).port(0)
                .insecureHttp(true).build())) {
            byte[] jwksBytes = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url()
                    + "/.well-known/jwks.json")).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
            Path jwks = dir.resolve("jwks.json");
            Files.write(jwks, jwksBytes);
            JWKSet set = JWKSet.parse(new String(jwksBytes, StandardCharsets.UTF_8));
            KeyPair key = KeyFiles.readKeyPair(dir.resolve("data/verdict-signing-key.pem"));
            long now = System.currentTimeMillis() / 1000;

            // ours, checked by nimbus: signature under the JWKS key, kid = RFC 7638 thumbprint, typ, iss, lifetime
            String ours = new VerdictSigner(key, VerdictVerifier.ISSUER).sign(new VerdictSigner.Claims("node-7", EarStatus.AFFIRMING,
                    List.of(), "00", "p", "sha256:00", now, now + 60));
            SignedJWT parsed = SignedJWT.parse(ours);
            ECKey published = (ECKey) set.getKeyByKeyId(parsed.getHeader().getKeyID());
            assertNotNull(published, "the verdict's kid is in the JWKS");
            assertEquals(published.computeThumbprint().toString(), parsed.getHeader().getKeyID());
            assertTrue(parsed.verify(new ECDSAVerifier(published)));
            DefaultJWTProcessor<SecurityContext> nimbus = new DefaultJWTProcessor<>();
            nimbus.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT));
            nimbus.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256, new ImmutableJWKSet<>(set)));
            nimbus.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(
                    new JWTClaimsSet.Builder().issuer(VerdictVerifier.ISSUER).build(), Set.of("sub", "iat", "exp")));
            JWTClaimsSet claims = nimbus.process(ours, null);
            assertEquals("node-7", claims.getSubject());
            assertEquals("affirming", claims.getStringClaim("ear.status"));

            // nimbus's, checked by ours
            ECKey signing = new ECKey.Builder(Curve.P_256, (ECPublicKey) key.getPublic()).privateKey(key.getPrivate())
                    .keyID(published.getKeyID()).build();
            ECDSASigner es256 = new ECDSASigner(signing);
            String kid = published.getKeyID();
            Cli good = check(jws(es256, JWSAlgorithm.ES256, JOSEObjectType.JWT, kid, claims(VerdictVerifier.ISSUER, now, now + 60)), jwks);
            assertEquals(0, good.code(), good.toString());
            assertTrue(good.out().startsWith("affirming: node node-7"), good.out());

            Map<String, String> refused = new LinkedHashMap<>();
            refused.put(jws(es256, JWSAlgorithm.ES256, JOSEObjectType.JWT, kid, claims("another-issuer", now, now + 60)),
                    "token iss must be trustbit-verifier");
            refused.put(jws(es256, JWSAlgorithm.ES256, JOSEObjectType.JWT, kid, claims(null, now, now + 60)),
                    "token iss must be trustbit-verifier");
            refused.put(jws(es256, JWSAlgorithm.ES256, new JOSEObjectType("at+jwt"), kid, claims(VerdictVerifier.ISSUER, now, now + 60)),
                    "token header typ must be JWT");
            refused.put(jws(es256, JWSAlgorithm.ES256, null, kid, claims(VerdictVerifier.ISSUER, now, now + 60)),
                    "token header typ must be JWT");
            refused.put(jws(es256, JWSAlgorithm.ES256, JOSEObjectType.JWT, kid, claims(VerdictVerifier.ISSUER, now - 120, now - 60)),
                    "token expired at");
            ECKey p384 = new ECKeyGenerator(Curve.P_384).keyID(kid).generate();
            refused.put(jws(new ECDSASigner(p384), JWSAlgorithm.ES384, JOSEObjectType.JWT, kid,
                    claims(VerdictVerifier.ISSUER, now, now + 60)), "token header must be alg ES256");
            // algorithm confusion: HMAC keyed with the public key's bytes
            refused.put(jws(new MACSigner(key.getPublic().getEncoded()), JWSAlgorithm.HS256, JOSEObjectType.JWT, kid,
                    claims(VerdictVerifier.ISSUER, now, now + 60)), "token header must be alg ES256");
            refused.put(new PlainJWT(claims(VerdictVerifier.ISSUER, now, now + 60)).serialize(), "token header must be alg ES256");
            List<String> failures = new ArrayList<>();
            refused.forEach((token, reason) -> {
                Cli r = check(token, jwks);
                if (r.code() != 1 || !r.err().startsWith("trustbit: verdict invalid: " + reason)) {
                    failures.add(reason + " -> " + r);
                }
            });
            assertTrue(failures.isEmpty(), String.join("\n", failures));
        }
    }

    private static Cli check(String token, Path jwks) {
        return Cli.run("verdict", "check", token, "--jwks", jwks);
    }

    private static JWTClaimsSet claims(String issuer, long iat, long exp) {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().subject("node-7").issueTime(new Date(iat * 1000))
                .expirationTime(new Date(exp * 1000)).claim("ear.status", "affirming").claim("trustbit.node-id", "node-7");
        if (issuer != null) {
            b.issuer(issuer);
        }
        return b.build();
    }

    private static String jws(JWSSigner signer, JWSAlgorithm alg, JOSEObjectType type, String kid, JWTClaimsSet claims)
            throws Exception {
        JWSHeader.Builder h = new JWSHeader.Builder(alg).keyID(kid);
        if (type != null) {
            h.type(type);
        }
        SignedJWT jwt = new SignedJWT(h.build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }
}
