package io.trustbit.verifier.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The webhook outbox (docs/verifier.md "Webhooks"): the SQL that {@link Store} runs inside the transaction of a
 * state change ({@link #enqueue}) and the delivery bookkeeping the {@link WebhookDispatcher} uses. An event is one
 * row of {@code webhook_events} (its {@code seq} orders the events of a node: every writer of a node's events
 * holds the node's row lock, so a later event of a node always gets a larger seq) and one row of
 * {@code webhook_deliveries} per webhook that wants its type. A delivery is due only while no earlier delivery
 * of the same webhook and node is undelivered: a node's events reach each webhook in order.
 */
public final class Outbox {
    private Outbox() {}

    /** The CloudEvents {@code type} of each event the verifier sends. */
    public enum EventType {
        ENROLLED("io.trustbit.node.enrolled"),
        VERDICT_CHANGED("io.trustbit.node.verdict.changed"),
        STALE("io.trustbit.node.stale"),
        REVOKED("io.trustbit.node.revoked"),
        RETIRED("io.trustbit.node.retired");

        private final String wire;

        EventType(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        /** The type with this name; an unknown name is an error. */
        public static EventType of(String wire) {
            for (EventType t : values()) {
                if (t.wire.equals(wire)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown event type " + wire);
        }
    }

    /** A configured webhook as the outbox sees it: its name and the event types it wants (all if empty). */
    public record Target(String name, Set<EventType> types) {
        boolean wants(EventType t) {
            return types.isEmpty() || types.contains(t);
        }
    }

    /** An event to record: {@code eventId} is its idempotency key, derived from what caused it. */
    public record Event(String eventId, String nodeId, EventType type, ObjectNode data) {}

    /** A due delivery: the event as stored and how often it was tried. */
    public record Due(long seq, String eventId, String nodeId, EventType type, String data, long createdAt,
            int attempts) {}

    /** A delivery not yet made, for {@code GET /v1/webhooks}. */
    public record Undelivered(long seq, String eventId, String nodeId, String type, int attempts, long nextAttemptAt,
            String lastError) {}

    /** One webhook's delivery state. */
    public record State(String webhook, long delivered, long undelivered, List<Undelivered> oldest) {}

    /**
     * Records the event for every target that wants it (nothing if none does), in the caller's transaction.
     * Returns whether a row was written.
     */
    static boolean enqueue(Connection c, List<Target> targets, Event e, long now) throws SQLException {
        List<Target> wanting = targets.stream().filter(t -> t.wants(e.type())).toList();
        if (wanting.isEmpty()) {
            return false;
        }
        long seq;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO webhook_events (event_id, node_id, type, data,"
                + " created_at) VALUES (?, ?, ?, ?, ?)", new String[] {"seq"})) {
            ps.setString(1, e.eventId());
            ps.setString(2, e.nodeId());
            ps.setString(3, e.type().wire());
            ps.setString(4, Json.writeString(e.data()));
            ps.setLong(5, now);
            ps.executeUpdate();
            try (ResultSet rs = ps.getGeneratedKeys()) {
                if (!rs.next()) {
                    throw new SQLException("no seq generated for event " + e.eventId());
                }
                seq = rs.getLong(1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO webhook_deliveries (webhook, seq, node_id,"
                + " attempts, next_attempt_at) VALUES (?, ?, ?, 0, ?)")) {
            for (Target t : wanting) {
                ps.setString(1, t.name());
                ps.setLong(2, seq);
                ps.setString(3, e.nodeId());
                ps.setLong(4, now);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        return true;
    }

    /**
     * The webhook's due deliveries, oldest first: undelivered, retry time reached, not leased by a live sender,
     * and the first undelivered one of their node (at most one per node).
     */
    static List<Due> due(Connection c, String webhook, long now, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT d.seq, e.event_id, d.node_id, e.type, e.data,"
                + " e.created_at, d.attempts FROM webhook_deliveries d JOIN webhook_events e ON e.seq = d.seq"
                + " WHERE d.webhook = ? AND d.delivered_at IS NULL AND d.next_attempt_at <= ?"
                + " AND (d.lease_until IS NULL OR d.lease_until < ?)"
                + " AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.webhook = d.webhook"
                + " AND p.node_id = d.node_id AND p.delivered_at IS NULL AND p.seq < d.seq)"
                + " ORDER BY d.seq LIMIT ?")) {
            ps.setString(1, webhook);
            ps.setLong(2, now);
            ps.setLong(3, now);
            ps.setInt(4, limit);
            List<Due> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Due(rs.getLong(1), rs.getString(2), rs.getString(3), EventType.of(rs.getString(4)),
                            rs.getString(5), rs.getLong(6), rs.getInt(7)));
                }
            }
            return out;
        }
    }

    /** Takes the lease on a due delivery; false if another sender holds it or it was delivered meanwhile. */
    static boolean lease(Connection c, String webhook, long seq, String owner, long now, long until)
            throws SQLException {
        return Store.update(c, "UPDATE webhook_deliveries SET lease_owner = ?, lease_until = ? WHERE webhook = ?"
                + " AND seq = ? AND delivered_at IS NULL AND (lease_until IS NULL OR lease_until < ?)",
                owner, until, webhook, seq, now) == 1;
    }

    static void delivered(Connection c, String webhook, long seq, long now) throws SQLException {
        Store.update(c, "UPDATE webhook_deliveries SET delivered_at = ?, attempts = attempts + 1, lease_owner = NULL,"
                + " lease_until = NULL, last_error = NULL WHERE webhook = ? AND seq = ? AND delivered_at IS NULL",
                now, webhook, seq);
    }

    static void failed(Connection c, String webhook, long seq, long nextAttemptAt, String error) throws SQLException {
        Store.update(c, "UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?,"
                + " lease_owner = NULL, lease_until = NULL WHERE webhook = ? AND seq = ? AND delivered_at IS NULL",
                nextAttemptAt, error.length() > 200 ? error.substring(0, 200) : error, webhook, seq);
    }

    /** Gives up the leases of an earlier process of this replica (it is gone: this one has its id). */
    static int releaseLeases(Connection c, String owner) throws SQLException {
        return Store.update(c, "UPDATE webhook_deliveries SET lease_owner = NULL, lease_until = NULL"
                + " WHERE lease_owner = ? AND delivered_at IS NULL", owner);
    }

    static State state(Connection c, String webhook, int limit) throws SQLException {
        long delivered;
        long undelivered;
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(delivered_at), COUNT(*) - COUNT(delivered_at)"
                + " FROM webhook_deliveries WHERE webhook = ?")) {
            ps.setString(1, webhook);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                delivered = rs.getLong(1);
                undelivered = rs.getLong(2);
            }
        }
        List<Undelivered> oldest = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT d.seq, e.event_id, d.node_id, e.type, d.attempts,"
                + " d.next_attempt_at, d.last_error FROM webhook_deliveries d JOIN webhook_events e ON e.seq = d.seq"
                + " WHERE d.webhook = ? AND d.delivered_at IS NULL ORDER BY d.seq LIMIT ?")) {
            ps.setString(1, webhook);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    oldest.add(new Undelivered(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getInt(5), rs.getLong(6), rs.getString(7)));
                }
            }
        }
        return new State(webhook, delivered, undelivered, oldest);
    }

    /** Deletes deliveries made before {@code before}, then events no delivery refers to any more. */
    static int purgeDelivered(Connection c, long before) throws SQLException {
        int n = Store.update(c, "DELETE FROM webhook_deliveries WHERE delivered_at < ?", before);
        if (n > 0) {
            Store.update(c, "DELETE FROM webhook_events WHERE created_at < ? AND NOT EXISTS"
                    + " (SELECT 1 FROM webhook_deliveries d WHERE d.seq = webhook_events.seq)", before);
        }
        return n;
    }
}
