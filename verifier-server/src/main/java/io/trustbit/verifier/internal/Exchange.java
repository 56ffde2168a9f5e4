package io.trustbit.verifier.internal;

import java.security.cert.X509Certificate;
import java.util.Map;

/**
 * One request as endpoints see it: path parameters, the (size-capped) body, the TLS client certificate chain
 * (if any) and the client's address (for the log).
 */
public record Exchange(Map<String, String> params, byte[] body, X509Certificate[] clientCertificates, String remote) {

    public String param(String name) {
        String v = params.get(name);
        if (v == null) {
            throw new IllegalStateException("route has no parameter " + name);
        }
        return v;
    }

    public <T> T json(Class<T> type) {
        return Json.read(body, type);
    }
}
