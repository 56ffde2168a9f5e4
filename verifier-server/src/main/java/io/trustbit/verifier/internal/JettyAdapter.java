package io.trustbit.verifier.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jetty's entry point: matches the route, enforces access (read or admin token, agent client certificate),
 * reads the body within its cap and deadline without holding a thread, calls the endpoint and writes JSON. Every failure becomes
 * {@code {"error":{"code","message"}}}; details go to the log only.
 */
public final class JettyAdapter extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(JettyAdapter.class);
    /** docs/verifier.md "Dashboard": the page's scripts, styles, images and requests come from this origin only. */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self';"
            + " img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none';"
            + " frame-ancestors 'none'";

    private final Router router;
    private final byte[] adminToken;
    /** The read-only token; null when none is configured (then only the admin token reads). */
    private final byte[] readToken;
    private final boolean agentCertificateRequired;
    private final int maxBodyBytes;
    private final long bodyTimeoutMillis;
    private final Metrics metrics;

    public JettyAdapter(Router router, String adminToken, String readToken, boolean agentCertificateRequired,
            int maxBodyBytes, long bodyTimeoutMillis, Metrics metrics) {
        this.router = router;
        this.adminToken = adminToken.getBytes(StandardCharsets.US_ASCII);
        this.readToken = readToken == null ? null : readToken.getBytes(StandardCharsets.US_ASCII);
        this.agentCertificateRequired = agentCertificateRequired;
        this.maxBodyBytes = maxBodyBytes;
        this.bodyTimeoutMillis = bodyTimeoutMillis;
        this.metrics = metrics;
    }

    /**
     * Starts the request: the route, access and declared length are judged at once; a body is then read
     * asynchronously, so a client that sends its body slowly holds no request thread while it does (the body
     * deadline still applies), and health, challenges and other uploads keep their threads. The endpoint runs
     * on the thread that completes the body: this one when the body came with the headers (the usual case),
     * else a pool thread.
     */
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String method = request.getMethod();
        String path = request.getHttpURI().getPath();
        Router.Match matched = null;
        X509Certificate[] certs;
        try {
            matched = router.match(method, path == null ? "" : path);
            certs = clientCertificates(request);
            checkAccess(matched.route().access(), request, certs);
            checkDeclaredLength(request);
        } catch (ApiException e) {
            finish(request, response, callback, matched == null ? "unmatched" : matched.route().template(),
                    failure(method, path, e), false);
            return true;
        }
        Router.Match match = matched;
        if (request.getLength() == 0 || method.equals("GET")) {
            run(request, response, callback, match, certs, new byte[0]);
            return true;
        }
        CompletableFuture<byte[]> body = Content.Source.asByteArrayAsync(request, maxBodyBytes);
        if (body.isDone()) {
            completed(request, response, callback, match, certs, body);
            return true;
        }
        body.orTimeout(bodyTimeoutMillis, TimeUnit.MILLISECONDS).whenComplete((b, e) -> request.getComponents()
                .getExecutor().execute(() -> completed(request, response, callback, match, certs, body)));
        return true;
    }

    private void completed(Request request, Response response, Callback callback, Router.Match match,
            X509Certificate[] certs, CompletableFuture<byte[]> body) {
        byte[] bytes;
        try {
            bytes = body.join();
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            ApiException refused = cause instanceof TimeoutException
                    ? new ApiException(408, "BODY_TIMEOUT", "request body not received in time")
                    : new ApiException(413, "BODY_TOO_LARGE", "request body too large or unreadable",
                            String.valueOf(cause), cause);
            finish(request, response, callback, match.route().template(),
                    failure(request.getMethod(), request.getHttpURI().getPath(), refused), false);
            return;
        }
        run(request, response, callback, match, certs, bytes);
    }

    private void run(Request request, Response response, Callback callback, Router.Match match,
            X509Certificate[] certs, byte[] body) {
        String method = request.getMethod();
        String path = request.getHttpURI().getPath();
        Router.Reply reply;
        try {
            reply = match.route().endpoint().handle(new Exchange(match.params(), body, certs,
                    Request.getRemoteAddr(request)));
        } catch (ApiException e) {
            reply = failure(method, path, e);
        } catch (Exception | StackOverflowError e) {
            LOG.error("{} {}: internal error", method, path, e);
            reply = error(500, "INTERNAL", "internal error");
        }
        finish(request, response, callback, match.route().template(), reply, true);
    }

    private static Router.Reply failure(String method, String path, ApiException e) {
        if (e.status() >= 500) {
            LOG.error("{} {}: {} ({})", method, path, e.code(), e.detail(), e);
        } else {
            LOG.info("{} {}: {} ({})", method, path, e.code(), e.detail());
        }
        return error(e.status(), e.code(), e.getMessage());
    }

    private void finish(Request request, Response response, Callback callback, String template, Router.Reply reply,
            boolean bodyRead) {
        String method = request.getMethod();
        metrics.request(template, method, reply.status());
        if (!bodyRead && request.getLength() != 0 && !method.equals("GET")) {
            // refused before the body was read: the connection cannot be reused safely
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        write(response, reply, callback);
    }

    private void checkAccess(Router.Access access, Request request, X509Certificate[] certs) {
        switch (access) {
            case PUBLIC -> { }
            case AGENT -> {
                if (agentCertificateRequired && certs.length == 0) {
                    throw new ApiException(401, "CLIENT_CERTIFICATE_REQUIRED", "client certificate required");
                }
            }
            case READ -> {
                byte[] given = bearerToken(request);
                // both comparisons always run: the time taken does not tell which token was close
                boolean admin = MessageDigest.isEqual(given, adminToken);
                boolean reader = readToken != null && MessageDigest.isEqual(given, readToken);
                if (!admin && !reader) {
                    throw new ApiException(401, "UNAUTHORIZED", "read or admin token required");
                }
            }
            case ADMIN -> {
                byte[] given = bearerToken(request);
                if (!MessageDigest.isEqual(given, adminToken)) {
                    boolean reader = readToken != null && MessageDigest.isEqual(given, readToken);
                    throw reader ? new ApiException(403, "FORBIDDEN", "admin token required")
                            : new ApiException(401, "UNAUTHORIZED", "admin token required");
                }
            }
        }
    }

    private static byte[] bearerToken(Request request) {
        return bearerToken(request.getHeaders().get(HttpHeader.AUTHORIZATION)).getBytes(StandardCharsets.US_ASCII);
    }

    private static X509Certificate[] clientCertificates(Request request) {
        Object ssl = request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE);
        if (ssl instanceof EndPoint.SslSessionData data && data.peerCertificates() != null) {
            return data.peerCertificates();
        }
        return new X509Certificate[0];
    }

    /**
     * The token of an {@code Authorization: Bearer <token>} header, or "" (RFC 6750 §2.1; the scheme name is
     * case-insensitive, RFC 7235 §2.1, and one or more spaces separate it from the token).
     */
    static String bearerToken(String header) {
        if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return "";
        }
        return header.substring(7).strip();
    }

    private void checkDeclaredLength(Request request) {
        long declared = request.getLength();
        if (declared > maxBodyBytes) {
            throw new ApiException(413, "BODY_TOO_LARGE", "request body too large", "declared " + declared, null);
        }
    }

    private static Router.Reply error(int status, String code, String message) {
        return new Router.Reply(status, new ErrorBody(new ErrorBody.Error(code, message)));
    }

    /** {@code {"error":{"code":"STABLE_CODE","message":"short"}}} */
    public record ErrorBody(Error error) {
        public record Error(String code, String message) {}
    }

    private static void write(Response response, Router.Reply reply, Callback callback) {
        byte[] bytes;
        String type;
        if (reply.body() instanceof Router.Text t) {
            bytes = t.text().getBytes(StandardCharsets.UTF_8);
            type = t.contentType();
        } else if (reply.body() instanceof Router.Bytes b) {
            bytes = b.bytes();
            type = b.contentType();
        } else {
            bytes = Json.write(reply.body());
            type = "application/json";
        }
        response.setStatus(reply.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        // every answer, the dashboard's files and JSON alike: nothing but this origin's own files may run or
        // load, no inline script or style, no framing, and the browser must not guess content types
        response.getHeaders().put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put("Referrer-Policy", "no-referrer");
        response.getHeaders().put("X-Frame-Options", "DENY");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }
}
