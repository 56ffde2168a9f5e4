package io.trustbit.cli.verifier;

import io.trustbit.attest.NetworkFailures;
import io.trustbit.cli.CliException;
import io.trustbit.cli.Inputs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * One bounded GET from the verifier (or any https URL, or plain http to a loopback address), trusting a PEM file's
 * certificates when given, else the JDK's trust store. Every bad argument is one bad-input line naming the option.
 */
final class VerifierHttp {
    private static final int MAX_PEM = 1024 * 1024;

    private VerifierHttp() {}

    /**
     * {@code url} as given to {@code option}: https, or http to a loopback address only (as the agent and the
     * verifier's own {@code --insecure-http}); a host, no user info, query or fragment.
     */
    static URI checkedUrl(String url, String option) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw CliException.badInput(option + " " + url + " is not a valid URL: " + e.getMessage(), e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null || uri.getRawUserInfo() != null
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw CliException.badInput(option + " " + url + " is not an https or http URL of a host", null);
        }
        if (scheme.equals("http") && !loopback(uri.getHost())) {
            throw CliException.badInput(option + " " + url + ": plain http is allowed only to a loopback address", null);
        }
        return uri;
    }

    /** A literal loopback name or address: no name is resolved, so DNS cannot turn a remote host into one. */
    private static boolean loopback(String host) {
        return host.equals("localhost") || host.matches("127\\.[0-9]+\\.[0-9]+\\.[0-9]+") || host.equals("[::1]");
    }

    /**
     * The body of {@code GET uri} (a {@link #checkedUrl}; 200 only, at most {@code max} bytes); {@code bearer} (or
     * null) as the Authorization; {@code cacert} (or null: the JDK's trust store) for https only. Failures name
     * {@code what} ("the JWKS", "the node list") and the host.
     */
    static byte[] get(URI uri, Path cacert, String bearer, int max, String what) {
        HttpClient.Builder hb = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (cacert != null) {
            if (!"https".equals(uri.getScheme())) {
                throw CliException.badInput("--cacert " + cacert + " is for an https URL, not " + uri, null);
            }
            hb.sslContext(trusting(cacert));
        }
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET();
        if (bearer != null) {
            rb.header("Authorization", "Bearer " + bearer);
        }
        try {
            HttpResponse<InputStream> r = hb.build().send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                byte[] body = in.readNBytes(max + 1);
                if (r.statusCode() != 200) {
                    throw CliException.environment("cannot fetch " + what + ": " + NetworkFailures.hostAndPort(uri)
                            + " answered HTTP " + r.statusCode(), null);
                }
                if (body.length > max) {
                    throw CliException.environment("cannot fetch " + what + ": " + NetworkFailures.hostAndPort(uri)
                            + " sent more than " + max + " bytes", null);
                }
                return body;
            }
        } catch (IOException e) {
            throw CliException.environment("cannot fetch " + what + ": " + NetworkFailures.describe(uri, e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.environment("interrupted while fetching " + what, e);
        }
    }

    /** TLS trusting exactly the certificates of {@code pem}; a missing, unreadable or empty file is bad input. */
    private static SSLContext trusting(Path pem) {
        byte[] bytes = Inputs.read(pem, MAX_PEM, "--cacert");
        try {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(bytes));
            if (certs.isEmpty()) {
                throw CliException.badInput("--cacert " + pem + " holds no certificate", null);
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                ks.setCertificateEntry("ca" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw CliException.badInput("--cacert " + pem + " is not a PEM certificate file: " + e.getMessage(), e);
        }
    }
}
