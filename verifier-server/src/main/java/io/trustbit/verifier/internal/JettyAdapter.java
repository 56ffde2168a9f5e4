package io.trustbit.verifier.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.concurrent.ExecutionException;
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
 * Jetty's entry point: matches the route, enforces access (admin token, agent client certificate),
 * reads the body within its cap and deadline, calls the endpoint and writes JSON. Every failure becomes
 * {@code {"error":{"code","message"}}}; details go to the log only.
 */
public final class JettyAdapter extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(JettyAdapter.class);

    private final Router router;
    private final byte[] adminToken;
    private final boolean agentCertificateRequired;
    private final int maxBodyBytes;
    private final long bodyTimeoutMillis;
    private final Metrics metrics;

    public JettyAdapter(Router router, String adminToken, boolean agentCertificateRequired, int maxBodyBytes,
            long bodyTimeoutMillis, Metrics metrics) {
        this.router = router;
        this.adminToken = adminToken.getBytes(StandardCharsets.US_ASCII);
        this.agentCertificateRequired = agentCertificateRequired;
        this.maxBodyBytes = maxBodyBytes;
        this.bodyTimeoutMillis = bodyTimeoutMillis;
        this.metrics = metrics;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String method = request.getMethod();
        String path = request.getHttpURI().getPath();
        String template = "unmatched";
        Router.Reply reply;
        boolean bodyRead = false;
        try {
            Router.Match match = router.match(method, path == null ? "" : path);
            template = match.route().template();
            X509Certificate[] certs = clientCertificates(request);
            checkAccess(match.route().access(), request, certs);
            byte[] body = readBody(request, method);
            bodyRead = true;
            reply = match.route().endpoint().handle(new Exchange(match.params(), body, certs));
        } catch (ApiException e) {
            if (e.status() >= 500) {
                LOG.error("{} {}: {} ({})", method, path, e.code(), e.detail(), e);
            } else {
                LOG.info("{} {}: {} ({})", method, path, e.code(), e.detail());
            }
            reply = error(e.status(), e.code(), e.getMessage());
        } catch (Exception | StackOverflowError e) {
            LOG.error("{} {}: internal error", method, path, e);
            reply = error(500, "INTERNAL", "internal error");
        }
        metrics.request(template, method, reply.status());
        if (!bodyRead && request.getLength() != 0 && !method.equals("GET")) {
            // refused before the body was read: the connection cannot be reused safely
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        write(response, reply, callback);
        return true;
    }

    private void checkAccess(Router.Access access, Request request, X509Certificate[] certs) {
        switch (access) {
            case PUBLIC -> { }
            case AGENT -> {
                if (agentCertificateRequired && certs.length == 0) {
                    throw new ApiException(401, "CLIENT_CERTIFICATE_REQUIRED", "client certificate required");
                }
            }
            case ADMIN -> {
                String h = request.getHeaders().get(HttpHeader.AUTHORIZATION);
                byte[] given = h != null && h.startsWith("Bearer ")
                        ? h.substring(7).strip().getBytes(StandardCharsets.US_ASCII)
                        : new byte[0];
                if (!MessageDigest.isEqual(given, adminToken)) {
                    throw new ApiException(401, "UNAUTHORIZED", "admin token required");
                }
            }
        }
    }

    private static X509Certificate[] clientCertificates(Request request) {
        Object ssl = request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE);
        if (ssl instanceof EndPoint.SslSessionData data && data.peerCertificates() != null) {
            return data.peerCertificates();
        }
        return new X509Certificate[0];
    }

    private byte[] readBody(Request request, String method) throws InterruptedException {
        long declared = request.getLength();
        if (declared > maxBodyBytes) {
            throw new ApiException(413, "BODY_TOO_LARGE", "request body too large", "declared " + declared, null);
        }
        if (declared == 0 || method.equals("GET")) {
            return new byte[0];
        }
        try {
            return Content.Source.asByteArrayAsync(request, maxBodyBytes).get(bodyTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new ApiException(413, "BODY_TOO_LARGE", "request body too large or unreadable",
                    String.valueOf(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw new ApiException(408, "BODY_TIMEOUT", "request body not received in time");
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
        } else {
            bytes = Json.write(reply.body());
            type = "application/json";
        }
        response.setStatus(reply.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }
}
