package io.trustbit.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.trustbit.verifier.internal.KeyFiles;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Date;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Options of the server: mutual TLS for agents, EK certificate chains, nonce expiry, policy hot reload, HTTP. */
class ServerOptionsTest {
    @TempDir
    Path dir;

    static X509Certificate issue(String subject, java.security.PublicKey key, X509Certificate issuer, KeyPair issuerKey,
            boolean ca) throws Exception {
        X500Name issuerName = new X500Name(issuer == null ? subject : issuer.getSubjectX500Principal().getName());
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName, BigInteger.valueOf(System.nanoTime()),
                new Date(System.currentTimeMillis() - 60_000), new Date(System.currentTimeMillis() + 86_400_000L),
                new X500Name(subject), key);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey.getPrivate())));
    }

    @Test
    void agentsNeedAClientCertificateWhenConfigured() throws Exception {
        KeyPair caKey = SoftTpm.p256();
        X509Certificate ca = issue("CN=agents CA", caKey.getPublic(), null, caKey, true);
        Files.writeString(dir.resolve("agents-ca.pem"), KeyFiles.pem(ca));
        KeyPair agentKey = SoftTpm.p256();
        X509Certificate agent = issue("CN=agent-1", agentKey.getPublic(), ca, caKey, false);
        try (TestVerifier v = TestVerifier.start(dir, b -> b.clientCa(dir.resolve("agents-ca.pem"), true))) {
            TestVerifier.Reply anonymous = v.post("/v1/nodes/n1/challenge", null);
            assertEquals(401, anonymous.status(), anonymous.text());
            assertEquals("CLIENT_CERTIFICATE_REQUIRED", anonymous.json().get("error").get("code").asText());
            assertEquals(200, v.call("GET", "/v1/health", null, null).status());

            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("agent", agentKey.getPrivate(), new char[0], new X509Certificate[] {agent, ca});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            ts.setCertificateEntry("verifier", v.server.certificate());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            HttpClient withCert = HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> r = withCert.send(HttpRequest.newBuilder(URI.create(v.server.url() + "/v1/nodes/n1/challenge"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, r.statusCode(), r.body()); // past the certificate check: the node is unknown
        }
    }

    @Test
    void ekCertificateMustChainToTheCaAndCertifyTheEk() throws Exception {
        KeyPair caKey = SoftTpm.p256();
        X509Certificate ca = issue("CN=TPM vendor root", caKey.getPublic(), null, caKey, true);
        Files.createDirectories(dir.resolve("ek-ca"));
        Files.writeString(dir.resolve("ek-ca/vendor.pem"), KeyFiles.pem(ca));
        try (TestVerifier v = TestVerifier.start(dir, b -> b.ekCaDir(dir.resolve("ek-ca")))) {
            SoftTpm tpm = new SoftTpm();
            X509Certificate good = issue("CN=ek", tpm.ek.getPublic(), ca, caKey, false);
            KeyPair rogue = SoftTpm.p256();
            X509Certificate selfIssued = issue("CN=ek", tpm.ek.getPublic(), null, rogue, false);
            X509Certificate otherKey = issue("CN=ek", SoftTpm.p256().getPublic(), ca, caKey, false);
            for (Object[] c : new Object[][] {{null, 400}, {selfIssued, 400}, {otherKey, 400}, {good, 200}}) {
                Map<String, String> body = new java.util.HashMap<>(Map.of("ekPublic", TestVerifier.b64(tpm.ekPublic()),
                        "akPublic", TestVerifier.b64(tpm.akPublic())));
                if (c[0] != null) {
                    body.put("ekCertificate", TestVerifier.b64(((X509Certificate) c[0]).getEncoded()));
                }
                TestVerifier.Reply r = v.post("/v1/nodes/ekcert/enroll", body);
                assertEquals((int) c[1], r.status(), r.text());
                if (r.status() == 400) {
                    assertEquals("EK_CERTIFICATE", r.json().get("error").get("code").asText(), r.text());
                }
            }
        }
    }

    @Test
    void expiredNonceIsRefusedAndPolicyEditsApplyWithoutRestart() throws Exception {
        DrtmChain chain = new DrtmChain();
        try (TestVerifier v = TestVerifier.start(dir, b -> b.nonceLifetime(Duration.ofSeconds(1)))) {
            v.policy("test.yaml", chain.policyYaml("test", false));
            Thread.sleep(2500);
            SoftTpm tpm = new SoftTpm();
            v.enroll("n1", tpm);
            byte[] nonce = v.challenge("n1");
            Thread.sleep(1200);
            JsonNode expired = send(v, tpm, chain, nonce);
            assertEquals("contraindicated", expired.get("status").asText());
            assertTrue(expired.toString().contains("expired"), expired.toString());

            assertEquals("affirming", send(v, tpm, chain, v.challenge("n1")).get("status").asText());
            // a broken edit makes the policy unavailable (fail closed), a fixed one applies again
            v.policy("test.yaml", "version: 1\ndrtm: nonsense\n");
            Thread.sleep(2500);
            JsonNode broken = send(v, tpm, chain, v.challenge("n1"));
            assertTrue(broken.toString().contains("policy.unavailable"), broken.toString());
            DrtmChain newer = new DrtmChain();
            newer.vmm = "VMM 2".getBytes();
            v.policy("test.yaml", newer.policyYaml("test", false));
            Thread.sleep(2500);
            JsonNode old = send(v, tpm, chain, v.challenge("n1"));
            assertTrue(old.toString().contains("policy.vmm"), old.toString());
        }
    }

    private static JsonNode send(TestVerifier v, SoftTpm tpm, DrtmChain chain, byte[] nonce) throws Exception {
        SoftTpm.Quote q = tpm.new Quote(nonce, SoftTpm.sha256(DrtmChain.drtmPcrs()), chain.pcrs());
        byte[] attest = q.attest();
        return v.postEvidence("n1", TestVerifier.evidence("n1", tpm, nonce, attest, q.signature(attest), chain.pcrs(),
                chain.eventLog())).json();
    }

    @Test
    void requestThreadsDependOnTheDatabaseUnlessConfigured() {
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(Math.max(8, 4 * cores), VerifierConfig.builder(dir).build().effectiveRequestThreads());
        assertEquals(64, VerifierConfig.builder(dir).database("jdbc:postgresql://db/x", "u", null).build()
                .effectiveRequestThreads());
        assertEquals(32, VerifierConfig.builder(dir).requestThreads(32).build().effectiveRequestThreads());
        assertThrows(IllegalArgumentException.class, () -> VerifierConfig.builder(dir).requestThreads(4).build());
    }

    @Test
    void readTokenComesFromTheConfigurationAndMustBeLongAndItsOwn() throws Exception {
        Path file = dir.resolve("verifier.yaml");
        Files.writeString(file, "dataDir: data\nadminToken: admin-0123456789abcdef\nreadToken: read-0123456789abcdef\n");
        assertEquals("read-0123456789abcdef", VerifierConfig.load(file, null).build().readToken());
        assertEquals(null, VerifierConfig.builder(dir).build().readToken());
        IllegalArgumentException shortOne = assertThrows(IllegalArgumentException.class,
                () -> VerifierConfig.builder(dir).readToken("too-short").build());
        assertTrue(shortOne.getMessage().contains("readToken"), shortOne.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> VerifierConfig.builder(dir).readToken("with a space 0123456789").build());
        IllegalArgumentException same = assertThrows(IllegalArgumentException.class,
                () -> VerifierConfig.builder(dir).adminToken("same-0123456789abcdef").readToken("same-0123456789abcdef").build());
        assertTrue(same.getMessage().contains("differ"), same.getMessage());
    }

    @Test
    void plainHttpOnlyOnLoopback() throws Exception {
        try (TestVerifier v = TestVerifier.start(dir.resolve("a"), b -> b.insecureHttp(true))) {
            assertTrue(v.server.url().toString().startsWith("http://127.0.0.1:"));
        }
        VerifierConfig off = VerifierConfig.builder(dir.resolve("b")).host("0.0.0.0").port(0).insecureHttp(true).build();
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> VerifierServer.start(off));
    }
}
