package io.trustbit.verifier;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A webhook receiver for tests: the JDK's HTTP server on a loopback port that stays the same across
 * {@link #stop()} and {@link #start()}; it records every POST it answers (path, Standard Webhooks headers, body)
 * and answers 204, after {@code delayMillis} if set (so that a test can kill the sender mid-delivery).
 */
public final class WebhookReceiver implements AutoCloseable {
    /** One request as received. */
    public record Received(String path, String id, String timestamp, String signature, byte[] body) {
        JsonNode event() throws IOException {
            return TestVerifier.JSON.readTree(body);
        }
    }

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile long delayMillis;
    private int port;
    private HttpServer server;

    public WebhookReceiver() throws IOException {
        start();
    }

    /** Listens (again): on a free port the first time, on the same port after {@link #stop()}. */
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        port = server.getAddress().getPort();
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", x -> {
            inFlight.incrementAndGet();
            try (x) {
                byte[] body;
                try (InputStream in = x.getRequestBody()) {
                    body = in.readAllBytes();
                }
                if (delayMillis > 0) {
                    Thread.sleep(delayMillis);
                }
                received.add(new Received(x.getRequestURI().getPath(), x.getRequestHeaders().getFirst("webhook-id"),
                        x.getRequestHeaders().getFirst("webhook-timestamp"),
                        x.getRequestHeaders().getFirst("webhook-signature"), body));
                x.sendResponseHeaders(204, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.decrementAndGet();
            }
        });
        server.start();
    }

    /** Stops listening: connections are refused until {@link #start()}. */
    void stop() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    void delay(long millis) {
        delayMillis = millis;
    }

    int inFlight() {
        return inFlight.get();
    }

    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** What was received at {@code path}, in arrival order. */
    public List<Received> received(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    /** The first arrival of each idempotency key at {@code path}, in arrival order. */
    Map<String, Received> firstById(String path) {
        Map<String, Received> out = new LinkedHashMap<>();
        for (Received r : received(path)) {
            out.putIfAbsent(r.id(), r);
        }
        return out;
    }

    /** Waits until {@code path} has seen {@code ids} distinct keys; false on timeout. */
    boolean await(String path, int ids, long timeoutMillis) throws InterruptedException {
        long until = System.currentTimeMillis() + timeoutMillis;
        while (firstById(path).size() < ids) {
            if (System.currentTimeMillis() > until) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    /** A fresh Standard Webhooks secret ({@code whsec_} and base64 of 32 random bytes) in a file. */
    public static String secret(Path file) throws IOException {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        String s = "whsec_" + Base64.getEncoder().encodeToString(key);
        Files.writeString(file, s + "\n");
        return s;
    }

    /** Problems with the signatures of {@code rs} under {@code secret}: checked here with javax.crypto. */
    static List<String> badSignatures(List<Received> rs, String secret) throws Exception {
        byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
        List<String> bad = new ArrayList<>();
        for (Received r : rs) {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((r.id() + "." + r.timestamp() + ".").getBytes(StandardCharsets.UTF_8));
            byte[] expected = mac.doFinal(r.body());
            if (r.signature() == null || !r.signature().startsWith("v1,") || !MessageDigest.isEqual(expected,
                    Base64.getDecoder().decode(r.signature().substring(3)))) {
                bad.add(r.id() + ": signature " + r.signature());
            }
            long age = Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(r.timestamp()));
            if (age > 300) {
                bad.add(r.id() + ": timestamp " + r.timestamp() + " is " + age + " s away");
            }
        }
        return bad;
    }

    /**
     * The same check with OpenSSL ({@code openssl dgst -sha256 -mac HMAC}), an implementation independent of
     * both the verifier's and the test's Java code.
     */
    static List<String> badSignaturesByOpenssl(List<Received> rs, String secret, Path tmp) throws Exception {
        String hexKey = HexFormat.of().formatHex(Base64.getDecoder().decode(secret.substring("whsec_".length())));
        List<String> bad = new ArrayList<>();
        Path input = tmp.resolve("signed-content");
        for (Received r : rs) {
            byte[] prefix = (r.id() + "." + r.timestamp() + ".").getBytes(StandardCharsets.UTF_8);
            byte[] content = new byte[prefix.length + r.body().length];
            System.arraycopy(prefix, 0, content, 0, prefix.length);
            System.arraycopy(r.body(), 0, content, prefix.length, r.body().length);
            Files.write(input, content);
            Process p = new ProcessBuilder("openssl", "dgst", "-sha256", "-mac", "HMAC", "-macopt", "hexkey:" + hexKey,
                    "-binary", input.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] mac = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0 || mac.length != 32) {
                throw new IOException("openssl dgst failed for " + r.id());
            }
            if (!("v1," + Base64.getEncoder().encodeToString(mac)).equals(r.signature())) {
                bad.add(r.id() + ": openssl computes another signature than " + r.signature());
            }
        }
        return bad;
    }

    @Override
    public void close() {
        stop();
    }
}
