package io.trustbit.cli.verifier;

import io.trustbit.attest.NetworkFailures;
import io.trustbit.cli.CliException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** One bounded GET from the verifier (or any https/http URL), trusting {@code cacert} when given. */
final class VerifierHttp {
    private VerifierHttp() {}

    /**
     * The body of {@code GET url} (200 only, at most {@code max} bytes); {@code bearer} (or null) as the
     * Authorization. Failures name {@code what} ("the JWKS", "the node list") and the host.
     */
    static byte[] get(String url, String option, Path cacert, String bearer, int max, String what) {
        URI uri;
        HttpClient.Builder hb = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        try {
            uri = URI.create(url);
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("no host");
            }
            if (cacert != null) {
                hb.sslContext(pinned(cacert));
            }
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(option + " " + url + " is not a valid URL: " + e.getMessage(), e);
        } catch (IOException | GeneralSecurityException e) {
            throw CliException.badInput("--cacert " + cacert + ": " + e.getMessage(), e);
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

    private static SSLContext pinned(Path pem) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            int i = 0;
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("ca" + i++, (X509Certificate) c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
