package io.trustbit.verifier.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import io.trustbit.verifier.internal.Router.Access;
import io.trustbit.verifier.internal.Router.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fleet dashboard (docs/verifier.md "Dashboard"): its static page under {@code /ui/} (no data in it; the
 * page reads the JSON endpoints below with the token its user enters), the fleet view, which lists every node
 * and then only the nodes that changed since a cursor (the page's live updates), and each node's last proven
 * launch chain.
 */
final class Dashboard {
    /** More nodes than this are not listed in one answer ({@code complete} is then false). */
    static final int MAX_NODES = 50_000;
    private static final Pattern CURSOR = Pattern.compile("([0-9]{1,18})-([0-9]{1,18})");
    private static final Map<String, String> ASSETS = Map.of("index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8", "app.css", "text/css; charset=utf-8");

    private final Store store;
    private final String defaultPolicy;
    private final Clock clock;
    private final Map<String, Router.Bytes> assets;
    /** How long a full read of the fleet serves before the next one (changes are read in between). */
    static final long FULL_READ_MILLIS = 60_000;
    private final Object fleetLock = new Object();
    private SortedMap<String, Store.FleetRow> fleetRows;
    private Store.FleetCursor fleetCursor;
    private long fleetReadAt;

    Dashboard(Store store, String defaultPolicy, Clock clock) {
        this.store = store;
        this.defaultPolicy = defaultPolicy;
        this.clock = clock;
        Map<String, Router.Bytes> files = new TreeMap<>();
        ASSETS.forEach((file, type) -> files.put(file, new Router.Bytes(type, resource(file))));
        this.assets = Map.copyOf(files);
    }

    private static byte[] resource(String file) {
        try (InputStream in = Dashboard.class.getResourceAsStream("/io/trustbit/verifier/ui/" + file)) {
            if (in == null) {
                throw new IllegalStateException("dashboard file " + file + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Router addRoutes(Router router) {
        return router
                .add("GET", "/ui", Access.PUBLIC, x -> Reply.ok(assets.get("index.html")))
                .add("GET", "/ui/", Access.PUBLIC, x -> Reply.ok(assets.get("index.html")))
                .add("GET", "/ui/app.js", Access.PUBLIC, x -> Reply.ok(assets.get("app.js")))
                .add("GET", "/ui/app.css", Access.PUBLIC, x -> Reply.ok(assets.get("app.css")))
                .add("GET", "/v1/fleet", Access.READ, x -> Reply.ok(fleet(null)))
                .add("GET", "/v1/fleet/changes/{cursor}", Access.READ, x -> Reply.ok(fleet(cursor(x.param("cursor")))))
                .add("GET", "/v1/nodes/{nodeId}/launch-chain", Access.READ,
                        x -> Reply.ok(launchChain(x.param("nodeId"))));
    }

    /** Where a node stands in the fleet summary: each node is in exactly one of the four. */
    enum State {
        /** Enrolled, with an unexpired verdict that trusts it. */
        TRUSTED("trusted"),
        /** Its unexpired verdict does not trust it, or it is revoked or retired. */
        UNTRUSTED("untrusted"),
        /** Enrolled and attested once, but its latest verdict has expired. */
        STALE("stale"),
        /** No verdict yet (pending, or enrolled and never attested). */
        NEVER("never");

        private final String wire;

        State(String wire) {
            this.wire = wire;
        }

        @JsonValue
        String wire() {
            return wire;
        }

        static State of(Store.FleetRow r, long now) {
            NodeStatus status = NodeStatus.of(r.nodeId(), r.status());
            if (r.verdictStatus() == null) {
                return NEVER;
            }
            if (status == NodeStatus.REVOKED || status == NodeStatus.RETIRED) {
                return UNTRUSTED;
            }
            if (r.expiresAt() <= now) {
                return status == NodeStatus.ENROLLED ? STALE : UNTRUSTED;
            }
            return status == NodeStatus.ENROLLED && EarStatus.fromWire(r.verdictStatus()).trusts() ? TRUSTED : UNTRUSTED;
        }
    }

    /**
     * One node in the fleet view: {@code policy} is the one in force (its own, its group's, else the default);
     * {@code failed}: the checks its latest verdict names; {@code expiresAt} (epoch ms): when a trusted or
     * untrusted enrolled node turns stale unless it attests again.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record FleetNode(String id, NodeStatus status, State state, String group, String policy, EarStatus verdict,
            List<String> failed, Long issuedAt, Long expiresAt) {}

    /**
     * The fleet, or its changes since a cursor. {@code cursor}: what to ask for next; {@code serverTime}
     * (epoch ms) lets the page judge expiry by the verifier's clock; {@code complete}: false when more than
     * {@link #MAX_NODES} nodes matched.
     */
    record Fleet(String cursor, long serverTime, boolean changesOnly, boolean complete, List<FleetNode> nodes) {}

    /**
     * The whole fleet from {@link #snapshot} (a changes read goes to the database: it is small), as the page
     * lists it.
     */
    private Fleet fleet(Store.FleetCursor since) throws SQLException {
        Store.FleetRead read = since == null ? snapshot() : store.fleet(since, MAX_NODES + 1, clock.millis());
        long now = clock.millis();
        List<FleetNode> nodes = new ArrayList<>(Math.min(read.rows().size(), MAX_NODES));
        for (Store.FleetRow r : read.rows().subList(0, Math.min(read.rows().size(), MAX_NODES))) {
            String policy = r.policyId() != null ? r.policyId() : r.groupPolicyId() != null ? r.groupPolicyId() : defaultPolicy;
            nodes.add(new FleetNode(r.nodeId(), NodeStatus.of(r.nodeId(), r.status()), State.of(r, now), r.groupName(), policy,
                    r.verdictStatus() == null ? null : EarStatus.fromWire(r.verdictStatus()), failedChecks(r.reasons()),
                    r.issuedAt(), r.expiresAt()));
        }
        Store.FleetCursor c = read.cursor();
        return new Fleet(c.verdictId() + "-" + c.nodeUpdatedAt(), now, since != null,
                read.rows().size() <= MAX_NODES, nodes);
    }

    /**
     * The fleet as this verifier last read it, brought up to date by reading only what changed since (the same
     * read as a page's live update): a full read of 10,000 nodes costs a join per node, an update a lookup per
     * changed node. A full read is repeated every {@link #FULL_READ_MILLIS}, which also brings in what no
     * cursor sees (a group's policy changed, a verdict from another replica that committed behind a later one).
     */
    private Store.FleetRead snapshot() throws SQLException {
        synchronized (fleetLock) {
            long now = clock.millis();
            if (fleetRows == null || now - fleetReadAt > FULL_READ_MILLIS || now < fleetReadAt) {
                Store.FleetRead full = store.fleet(null, MAX_NODES + 1, now);
                fleetRows = new TreeMap<>();
                full.rows().forEach(r -> fleetRows.put(r.nodeId(), r));
                fleetCursor = full.cursor();
                fleetReadAt = now;
            } else {
                Store.FleetRead changes = store.fleet(fleetCursor, MAX_NODES + 1, now);
                changes.rows().forEach(r -> fleetRows.put(r.nodeId(), r));
                fleetCursor = changes.cursor();
            }
            return new Store.FleetRead(fleetCursor, List.copyOf(fleetRows.values()));
        }
    }

    private static Store.FleetCursor cursor(String text) {
        Matcher m = CURSOR.matcher(text);
        if (!m.matches()) {
            throw ApiException.badRequest("BAD_CURSOR", "cursor must be what /v1/fleet returned");
        }
        return new Store.FleetCursor(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
    }

    /** The check ids a verdict's reasons name, each once, in order; null for none. */
    private static List<String> failedChecks(String reasons) {
        if (reasons == null || reasons.equals("[]")) {
            return null;
        }
        Set<String> checks = new LinkedHashSet<>();
        for (JsonNode r : Json.tree(reasons.getBytes(StandardCharsets.UTF_8))) {
            checks.add(r.path("check").asText());
        }
        return List.copyOf(checks);
    }

    /** A node's last proven launch chain and when it was recorded. */
    record LaunchChainAnswer(String nodeId, String recordedAt, JsonNode chain) {}

    private LaunchChainAnswer launchChain(String nodeId) throws SQLException {
        if (store.node(nodeId).isEmpty()) {
            throw ApiException.notFound("node");
        }
        Store.LaunchChainRow row = store.launchChain(nodeId)
                .orElseThrow(() -> new ApiException(404, "NO_LAUNCH_CHAIN", "the node has not proven a launch chain yet"));
        return new LaunchChainAnswer(nodeId, Instant.ofEpochMilli(row.recordedAt()).toString(),
                Json.tree(row.chain().getBytes(StandardCharsets.UTF_8)));
    }
}
