package io.trustbit.verifier.internal;

import io.trustbit.attest.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Method + path templates ({@code /v1/nodes/{nodeId}/evidence}) to endpoints. Path parameters are checked
 * before any endpoint sees them: {@code {nodeId}} against the one node-id rule ({@link NodeId}), every other
 * parameter against {@link #ID}.
 */
public final class Router {
    /** Ids in paths other than node ids: policy ids, group names. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** The path parameter that holds a node id. */
    public static final String NODE_ID = "nodeId";

    /** What an endpoint returns: a status and a body (serialised as JSON unless it is a {@link Text}). */
    public record Reply(int status, Object body) {
        public static Reply ok(Object body) {
            return new Reply(200, body);
        }
    }

    /** A non-JSON body with its content type. */
    public record Text(String contentType, String text) {}

    /** A static file (the dashboard's), sent as it is, with its content type. */
    public record Bytes(String contentType, byte[] bytes) {}

    @FunctionalInterface
    public interface Endpoint {
        Reply handle(Exchange exchange) throws Exception;
    }

    /**
     * Who may call a route: anyone, agents (a client certificate where one is required), holders of the
     * read-only token or the admin token (reads), holders of the admin token alone (changes).
     */
    public enum Access { PUBLIC, AGENT, READ, ADMIN }

    public record Route(String method, String template, String[] segments, Access access, Endpoint endpoint) {}

    public record Match(Route route, Map<String, String> params) {}

    private final List<Route> routes = new ArrayList<>();

    public Router add(String method, String template, Access access, Endpoint endpoint) {
        routes.add(new Route(method, template, template.substring(1).split("/", -1), access, endpoint));
        return this;
    }

    public List<Route> routes() {
        return List.copyOf(routes);
    }

    /**
     * The route for {@code method} and {@code path}; a 404 for unknown paths or bad ids, a 405 for a known
     * path with another method.
     */
    public Match match(String method, String path) {
        if (path.length() > 512 || !path.startsWith("/")) {
            throw ApiException.notFound("path");
        }
        String[] parts = path.substring(1).split("/", -1);
        boolean pathKnown = false;
        for (Route r : routes) {
            Map<String, String> params = matchSegments(r.segments(), parts);
            if (params == null) {
                continue;
            }
            pathKnown = true;
            if (r.method().equals(method)) {
                return new Match(r, params);
            }
        }
        if (pathKnown) {
            throw new ApiException(405, "METHOD_NOT_ALLOWED", "method not allowed");
        }
        throw ApiException.notFound("path");
    }

    private static Map<String, String> matchSegments(String[] template, String[] parts) {
        if (template.length != parts.length) {
            return null;
        }
        Map<String, String> params = null;
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            if (t.startsWith("{")) {
                String name = t.substring(1, t.length() - 1);
                String value = name.equals(NODE_ID) ? nodeId(parts[i]) : ID.matcher(parts[i]).matches() ? parts[i] : null;
                if (value == null) {
                    return null;
                }
                if (params == null) {
                    params = new java.util.HashMap<>(4);
                }
                params.put(name, value);
            } else if (!t.equals(parts[i])) {
                return null;
            }
        }
        return params == null ? Map.of() : params;
    }

    /** A node id parsed by the one rule, as endpoints receive it; null if the segment is not one. */
    private static String nodeId(String segment) {
        return NodeId.isValid(segment) ? NodeId.of(segment).value() : null;
    }
}
