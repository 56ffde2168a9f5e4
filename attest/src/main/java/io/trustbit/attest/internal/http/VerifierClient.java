package io.trustbit.attest.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustbit.attest.ImaPosition;
import io.trustbit.attest.NetworkFailures;
import io.trustbit.attest.NodeId;
import io.trustbit.attest.VerifierException;
import io.trustbit.attest.VerifierTrust;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The agent's client of the verifier HTTP API (docs/attest.md "Verifier API"):
 * {@code POST /v1/nodes/{id}/enroll}, {@code /activate}, {@code /challenge}, {@code /evidence}.
 * Answers are size-capped and checked field by field; errors carry the verifier's error code.
 */
public final class VerifierClient {
    private static final int MAX_RESPONSE = 1 << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http;

    public record Challenge(String challengeId, byte[] credentialBlob, byte[] encryptedSecret) {
    }

    /** A challenge; {@code ima}: what the verifier has appraised of the node's IMA list, if anything. */
    public record Nonce(byte[] nonce, String expiresAt, Optional<ImaPosition> ima) {
    }

    public record Reason(String check, String detail) {
    }

    /** {@code next}: the node's next challenge carried by the answer, if the verifier sent a well-formed one. */
    public record Verdict(String status, List<Reason> reasons, List<String> checked, String verdict, Optional<Nonce> next) {
    }

    public VerifierClient(URI base, VerifierTrust trust) throws IOException, GeneralSecurityException {
        String scheme = base.getScheme();
        if ("http".equals(scheme)) {
            if (!(trust instanceof VerifierTrust.InsecureLoopback) || !isLoopback(base.getHost())) {
                throw new IllegalArgumentException("plain http is allowed only to a loopback address with --insecure-http-loopback");
            }
        } else if (!"https".equals(scheme)) {
            throw new IllegalArgumentException("verifier URL must be https://");
        } else if (trust instanceof VerifierTrust.InsecureLoopback) {
            throw new IllegalArgumentException("an https verifier needs --verifier-fingerprint or --ca-cert");
        }
        this.base = URI.create(base.toString().replaceAll("/+$", ""));
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER);
        if ("https".equals(scheme)) {
            b.sslContext(sslContext(trust));
        }
        this.http = b.build();
    }

    private static boolean isLoopback(String host) {
        try {
            return host != null && InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    private static SSLContext sslContext(VerifierTrust trust) throws IOException, GeneralSecurityException {
        TrustManager[] tms;
        if (trust instanceof VerifierTrust.Fingerprint f) {
            tms = new TrustManager[] {new PinnedTrustManager(f.sha256())};
        } else {
            VerifierTrust.CaFile ca = (VerifierTrust.CaFile) trust;
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            try (InputStream in = Files.newInputStream(ca.pem())) {
                int i = 0;
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    ks.setCertificateEntry("ca" + i++, c);
                }
                if (i == 0) {
                    throw new GeneralSecurityException("no certificate in " + ca.pem());
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            tms = tmf.getTrustManagers();
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tms, null);
        return ctx;
    }

    public Challenge enroll(NodeId nodeId, byte[] ekPublic, Optional<byte[]> ekCertificate, byte[] akPublic) throws VerifierException {
        ObjectNode body = JSON.createObjectNode();
        body.put("ekPublic", b64(ekPublic));
        ekCertificate.ifPresent(c -> body.put("ekCertificate", b64(c)));
        body.put("akPublic", b64(akPublic));
        JsonNode r = post(nodeId, "enroll", body);
        return new Challenge(text(r, "challengeId"), unb64(r, "credentialBlob"), unb64(r, "encryptedSecret"));
    }

    public String activate(NodeId nodeId, String challengeId, byte[] secret) throws VerifierException {
        ObjectNode body = JSON.createObjectNode();
        body.put("challengeId", challengeId);
        body.put("secret", b64(secret));
        return text(post(nodeId, "activate", body), "status");
    }

    public Nonce challenge(NodeId nodeId) throws VerifierException {
        return nonce(post(nodeId, "challenge", JSON.createObjectNode()));
    }

    private static Nonce nonce(JsonNode r) throws VerifierException {
        String hex = text(r, "nonce");
        if (!hex.matches("(?:[0-9a-fA-F]{2}){8,64}")) {
            throw new VerifierException(0, "BAD_RESPONSE", "verifier nonce is not 8..64 bytes of hex");
        }
        return new Nonce(HexFormat.of().parseHex(hex), r.path("expiresAt").asText(""), imaPosition(r.get("ima")));
    }

    /**
     * The challenge's {@code ima} position: absent, the verifier does not appraise the node's IMA list; malformed,
     * the whole list is asked for.
     */
    private static Optional<ImaPosition> imaPosition(JsonNode n) {
        if (n == null || !n.isObject()) {
            return Optional.empty();
        }
        Long[] v = new Long[4];
        String[] names = {"resetCount", "restartCount", "nextEntry", "byteOffset"};
        for (int i = 0; i < names.length; i++) {
            JsonNode f = n.get(names[i]);
            if (f != null && f.isIntegralNumber() && f.canConvertToLong() && f.longValue() >= 0) {
                v[i] = f.longValue();
            }
        }
        try {
            return Optional.of(new ImaPosition(v[0], v[1], v[2], v[3]));
        } catch (IllegalArgumentException | NullPointerException e) {
            return Optional.of(ImaPosition.start());
        }
    }

    public Verdict evidence(NodeId nodeId, byte[] evidenceJson) throws VerifierException {
        JsonNode r = send(nodeId, "evidence", evidenceJson);
        String status = text(r, "status");
        if (!List.of("affirming", "warning", "contraindicated").contains(status)) {
            throw new VerifierException(0, "BAD_RESPONSE", "unknown verdict status");
        }
        List<Reason> reasons = new ArrayList<>();
        for (JsonNode n : r.path("reasons")) {
            reasons.add(new Reason(n.path("check").asText(""), n.path("detail").asText("")));
        }
        List<String> checked = new ArrayList<>();
        for (JsonNode c : r.path("checked")) {
            if (c.isTextual() && c.asText().matches("[a-z0-9.-]{1,40}") && checked.size() < 64) {
                checked.add(c.asText());
            }
        }
        Optional<Nonce> next = Optional.empty();
        JsonNode n = r.get("next");
        if (n != null && n.isObject()) {
            try {
                next = Optional.of(nonce(n));
            } catch (VerifierException e) {
                // a malformed next challenge is ignored: the agent asks for one as usual
            }
        }
        return new Verdict(status, reasons, checked, r.path("verdict").asText(""), next);
    }

    private JsonNode post(NodeId nodeId, String action, ObjectNode body) throws VerifierException {
        try {
            return send(nodeId, action, JSON.writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode send(NodeId nodeId, String action, byte[] body) throws VerifierException {
        URI uri = URI.create(base + "/v1/nodes/" + nodeId.value() + "/" + action);
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<InputStream> resp;
        byte[] answer;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = resp.body()) {
                answer = in.readNBytes(MAX_RESPONSE + 1);
            }
        } catch (IOException e) {
            throw new VerifierException("cannot reach the verifier " + NetworkFailures.describe(uri, e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VerifierException("interrupted", e);
        }
        if (answer.length > MAX_RESPONSE) {
            throw new VerifierException(0, "BAD_RESPONSE", "verifier answer larger than " + MAX_RESPONSE + " bytes");
        }
        JsonNode json;
        try {
            json = JSON.readTree(answer);
        } catch (IOException e) {
            json = null;
        }
        int status = resp.statusCode();
        if (status / 100 != 2) {
            JsonNode err = json == null ? null : json.path("error");
            String code = err == null ? "HTTP_" + status : err.path("code").asText("HTTP_" + status);
            String message = err == null ? "" : err.path("message").asText("");
            throw new VerifierException(status, code, action + ": verifier answered " + status + " " + code
                    + (message.isEmpty() ? "" : " (" + printable(message) + ")"));
        }
        if (json == null || !json.isObject()) {
            throw new VerifierException(0, "BAD_RESPONSE", action + ": verifier answer is not a JSON object");
        }
        return json;
    }

    private static String printable(String s) {
        String t = s.length() > 200 ? s.substring(0, 200) : s;
        return t.replaceAll("[^\\x20-\\x7E]", "?");
    }

    private static String text(JsonNode n, String field) throws VerifierException {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.textValue().length() > 4096) {
            throw new VerifierException(0, "BAD_RESPONSE", "verifier answer lacks " + field);
        }
        return v.textValue();
    }

    private static byte[] unb64(JsonNode n, String field) throws VerifierException {
        try {
            return Base64.getDecoder().decode(text(n, field));
        } catch (IllegalArgumentException e) {
            throw new VerifierException(0, "BAD_RESPONSE", "verifier answer's " + field + " is not base64");
        }
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
