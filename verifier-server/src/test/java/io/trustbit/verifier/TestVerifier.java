package io.trustbit.verifier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustbit.attest.EventLogKind;
import io.trustbit.attest.Evidence;
import io.trustbit.attest.EvidenceCodec;
import io.trustbit.attest.NodeId;
import io.trustbit.measure.HashAlg;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A real verifier on a random loopback port (TLS, pinned certificate) and a client for it. */
public final class TestVerifier implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    public final VerifierServer server;
    public final HttpClient http;
    public final Path policies;

    private TestVerifier(VerifierServer server, HttpClient http, Path policies) {
        this.server = server;
        this.http = http;
        this.policies = policies;
    }

    public static TestVerifier start(Path dir, Consumer<VerifierConfig.Builder> tweak) throws Exception {
        Path policies = dir.resolve("policies");
        Files.createDirectories(policies);
        VerifierConfig.Builder b = VerifierConfig.builder(dir.resolve("data")).port(0).policiesDir(policies)
                .defaultPolicy("test");
        tweak.accept(b);
        VerifierServer s = VerifierServer.start(b.build());
        return new TestVerifier(s, client(s.certificate()), policies);
    }

    public static HttpClient client(X509Certificate pinned) throws Exception {
        HttpClient.Builder hb = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1);
        if (pinned != null) {
            hb.sslContext(pinnedContext(pinned));
        }
        return hb.build();
    }

    /** TLS trusting exactly {@code pinned}. */
    static SSLContext pinnedContext(X509Certificate pinned) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("verifier", pinned);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /**
     * Sends only {@code head} (request line and headers, no body) over a fresh TLS connection and returns
     * the status code of the answer: for requests the server must judge before reading any body.
     */
    public int statusOfHead(String head) throws Exception {
        URI u = server.url();
        try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) pinnedContext(server.certificate())
                .getSocketFactory().createSocket(u.getHost(), u.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            if (status == null || !status.startsWith("HTTP/1.1 ")) {
                throw new IOException("no HTTP status line: " + status);
            }
            return Integer.parseInt(status.substring(9, 12));
        }
    }

    public void policy(String file, String yaml) throws IOException {
        Files.writeString(policies.resolve(file), yaml);
    }

    public record Reply(int status, JsonNode json, String text) {}

    public Reply call(String method, String path, Object body, String token) throws Exception {
        return call(http, server.url(), method, path, body, token);
    }

    /** One request to the verifier at {@code base} (this one's, or one in another process). */
    public static Reply call(HttpClient http, URI base, String method, String path, Object body, String token)
            throws Exception {
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20));
        if (token != null) {
            rb.header("Authorization", "Bearer " + token);
        }
        byte[] bytes = body == null ? new byte[0]
                : body instanceof byte[] raw ? raw : JSON.writeValueAsBytes(body);
        rb.method(method, body == null && method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(bytes));
        rb.header("Content-Type", "application/json");
        HttpResponse<String> r = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = null;
        if (r.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
            json = JSON.readTree(r.body());
        }
        return new Reply(r.statusCode(), json, r.body());
    }

    public Reply post(String path, Object body) throws Exception {
        return call("POST", path, body, null);
    }

    public Reply admin(String method, String path, Object body) throws Exception {
        return call(method, path, body, server.adminToken());
    }

    /** Enrolls and activates {@code tpm} as {@code nodeId}; fails the test on any error. */
    public void enroll(String nodeId, SoftTpm tpm) throws Exception {
        enroll(http, server.url(), nodeId, tpm);
    }

    /** Enrolls and activates {@code tpm} as {@code nodeId} at the verifier at {@code base}. */
    public static void enroll(HttpClient http, URI base, String nodeId, SoftTpm tpm) throws Exception {
        Reply a = activate(http, base, nodeId, tpm, startEnrollment(http, base, nodeId, tpm));
        if (a.status() != 200) {
            throw new AssertionError("activate: " + a.status() + " " + a.text());
        }
    }

    /** The enroll step alone: the verifier's answer (challengeId, credentialBlob, encryptedSecret). */
    public static JsonNode startEnrollment(HttpClient http, URI base, String nodeId, SoftTpm tpm) throws Exception {
        Reply r = call(http, base, "POST", "/v1/nodes/" + nodeId + "/enroll", Map.of("ekPublic", b64(tpm.ekPublic()),
                "akPublic", b64(tpm.akPublic())), null);
        if (r.status() != 200) {
            throw new AssertionError("enroll: " + r.status() + " " + r.text());
        }
        return r.json();
    }

    /** The activate step: ActivateCredential in {@code tpm} on the enroll answer, and the verifier's reply. */
    public static Reply activate(HttpClient http, URI base, String nodeId, SoftTpm tpm, JsonNode enrolled)
            throws Exception {
        byte[] secret = tpm.activate(Base64.getDecoder().decode(enrolled.get("credentialBlob").asText()),
                Base64.getDecoder().decode(enrolled.get("encryptedSecret").asText()));
        return call(http, base, "POST", "/v1/nodes/" + nodeId + "/activate", Map.of("challengeId",
                enrolled.get("challengeId").asText(), "secret", b64(secret)), null);
    }

    public byte[] challenge(String nodeId) throws Exception {
        Reply r = post("/v1/nodes/" + nodeId + "/challenge", null);
        if (r.status() != 200) {
            throw new AssertionError("challenge: " + r.status() + " " + r.text());
        }
        return HexFormat.of().parseHex(r.json().get("nonce").asText());
    }

    /** Evidence JSON with the given quote and PCR values, through attest's codec. */
    public static byte[] evidence(String nodeId, SoftTpm tpm, byte[] nonce, byte[] attest, byte[] signature,
            Map<HashAlg, ? extends Map<Integer, byte[]>> pcrs, byte[] drtmLog) {
        return evidence(nodeId, tpm, nonce, attest, signature, pcrs, drtmLog, null);
    }

    /** As above, with (part of) an IMA measurement list. */
    public static byte[] evidence(String nodeId, SoftTpm tpm, byte[] nonce, byte[] attest, byte[] signature,
            Map<HashAlg, ? extends Map<Integer, byte[]>> pcrs, byte[] drtmLog, io.trustbit.attest.ImaTail ima) {
        Map<HashAlg, SortedMap<Integer, byte[]>> p = new EnumMap<>(HashAlg.class);
        pcrs.forEach((k, v) -> p.put(k, new TreeMap<>(v)));
        Map<EventLogKind, byte[]> logs = new EnumMap<>(EventLogKind.class);
        if (drtmLog != null) {
            logs.put(EventLogKind.DRTM, drtmLog);
        }
        return EvidenceCodec.toJson(new Evidence(1, NodeId.of(nodeId), nonce, tpm.akPublic(), attest, signature, p, logs,
                Instant.now(), ima));
    }

    public Reply postEvidence(String nodeId, byte[] json) throws Exception {
        return post("/v1/nodes/" + nodeId + "/evidence", json);
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    static ObjectNode obj() {
        return JSON.createObjectNode();
    }

    public byte[] jwks() throws Exception {
        return call("GET", "/v1/jwks", null, null).text().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.close();
    }
}
