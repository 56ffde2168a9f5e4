package io.trustbit.attest;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import javax.net.ssl.SSLException;

/**
 * One line for a failed network exchange that names the host and the cause. Java's HTTP client reports
 * a refused connection or an unknown host as exceptions without a message ({@code ConnectException: null}),
 * so the cause is read from the exception types along the chain.
 */
public final class NetworkFailures {
    private NetworkFailures() {
    }

    /** {@code host:port: cause}, e.g. {@code verifier.example:8443: host name not found}. */
    public static String describe(URI target, Throwable failure) {
        return hostAndPort(target) + ": " + cause(failure);
    }

    /** {@code host:port} of a URL, with the scheme's default port when it has none. */
    public static String hostAndPort(URI target) {
        String host = target.getHost() == null ? String.valueOf(target.getAuthority()) : target.getHost();
        int port = target.getPort() >= 0 ? target.getPort() : "https".equalsIgnoreCase(target.getScheme()) ? 443 : 80;
        return host + ":" + port;
    }

    /** What went wrong, in words, from the most specific exception along the chain. */
    public static String cause(Throwable failure) {
        String lastMessage = null;
        Throwable deepest = failure;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            deepest = t;
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return "host name not found";
            }
            if (t instanceof HttpConnectTimeoutException) {
                return "no connection within the time limit";
            }
            if (t instanceof HttpTimeoutException || t instanceof SocketTimeoutException) {
                return "no answer within the time limit";
            }
            if (t instanceof NoRouteToHostException) {
                return "no route to host";
            }
            if (t instanceof SSLException) {
                return "TLS failed: " + innermostMessage(t);
            }
            if (t instanceof ConnectException && (t.getCause() instanceof ClosedChannelException
                    || String.valueOf(t.getMessage()).startsWith("Connection refused"))) {
                return "connection refused";
            }
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                lastMessage = t.getMessage();
            }
        }
        if (deepest instanceof ClosedChannelException) {
            return "connection closed";
        }
        return lastMessage != null ? lastMessage.strip() : deepest.getClass().getSimpleName();
    }

    private static String innermostMessage(Throwable failure) {
        String message = failure.getClass().getSimpleName();
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        return message.strip();
    }
}
