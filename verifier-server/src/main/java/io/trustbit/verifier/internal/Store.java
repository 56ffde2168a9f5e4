package io.trustbit.verifier.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.Flyway;

/**
 * The verifier's database: H2 (embedded file) or PostgreSQL, same schema (Flyway migrations in
 * {@code io/trustbit/verifier/db}). Every cross-replica rule is enforced by one atomic statement:
 * nonce use is a {@code DELETE} whose update count must be 1, the EK binding is the node's primary key,
 * counters only move forward through a conditional {@code UPDATE}.
 */
public final class Store implements AutoCloseable, Nonces {
    private final HikariDataSource pool;
    /**
     * Nonce bookkeeping. On PostgreSQL its connections commit asynchronously (no WAL flush wait), which
     * removes two of the three flushes an attestation would otherwise wait for. Single use still holds
     * across a database crash: the verdict for a nonce is committed synchronously on {@link #pool}, and that
     * flush covers all WAL written before it, the earlier DELETE of its nonce included; a DELETE lost in a
     * crash therefore never had a verdict, and an issued nonce that is lost is simply unknown (the agent asks
     * for a new challenge).
     */
    private final HikariDataSource noncePool;

    public record Node(String nodeId, String ekPublic, String ekName, String akPublic, String akName,
            String status, String policyId, String groupName, String groupPolicyId, Long resetCount,
            Long restartCount, long createdAt) {
        /** The policy that applies: the node's own, else its group's, else null (the default). */
        public String effectivePolicyId() {
            return policyId != null ? policyId : groupPolicyId;
        }
    }

    public record EnrollChallenge(String challengeId, String nodeId, String akPublic, String akName, String secret,
            long expiresAt) {}

    public record VerdictRow(long id, String nodeId, String status, String reasons, String policyId,
            String policyDigest, String nonce, String token, long issuedAt, long expiresAt, String replica) {}

    public enum NonceUse { OK, EXPIRED_OR_OTHER_NODE, UNKNOWN_OR_USED }

    private Store(HikariDataSource pool, HikariDataSource noncePool) {
        this.pool = pool;
        this.noncePool = noncePool;
    }

    /** Opens the pool and migrates the schema. */
    public static Store open(String jdbcUrl, String user, String password, int poolSize) {
        HikariDataSource ds = pool(jdbcUrl, user, password, poolSize, "trustbit-verifier", null);
        try {
            Flyway.configure().dataSource(ds).locations("classpath:io/trustbit/verifier/db").load().migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            return new Store(ds, ds);
        }
        try {
            return new Store(ds, pool(jdbcUrl, user, password, poolSize, "trustbit-verifier-nonces",
                    "SET synchronous_commit TO off"));
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
    }

    private static HikariDataSource pool(String jdbcUrl, String user, String password, int size, String name,
            String initSql) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(jdbcUrl);
        if (user != null) {
            hc.setUsername(user);
        }
        if (password != null) {
            hc.setPassword(password);
        }
        hc.setMaximumPoolSize(size);
        hc.setMinimumIdle(Math.min(2, size));
        hc.setConnectionTimeout(5_000);
        hc.setPoolName(name);
        if (initSql != null) {
            hc.setConnectionInitSql(initSql);
        }
        return new HikariDataSource(hc);
    }

    @Override
    public void close() {
        if (noncePool != pool) {
            noncePool.close();
        }
        pool.close();
    }

    // ---- nodes ----

    private static final String NODE_SELECT = "SELECT n.node_id, n.ek_public, n.ek_name, n.ak_public, n.ak_name,"
            + " n.status, n.policy_id, n.group_name, g.policy_id, n.reset_count, n.restart_count, n.created_at"
            + " FROM nodes n LEFT JOIN node_groups g ON g.group_name = n.group_name";

    public Optional<Node> node(String nodeId) throws SQLException {
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement(NODE_SELECT + " WHERE n.node_id = ?")) {
            ps.setString(1, nodeId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(node(rs)) : Optional.empty();
            }
        }
    }

    public List<Node> nodes(int limit) throws SQLException {
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement(NODE_SELECT + " ORDER BY n.node_id LIMIT ?")) {
            ps.setInt(1, limit);
            List<Node> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(node(rs));
                }
            }
            return out;
        }
    }

    private static Node node(ResultSet rs) throws SQLException {
        long reset = rs.getLong(10);
        Long resetCount = rs.wasNull() ? null : reset;
        long restart = rs.getLong(11);
        Long restartCount = rs.wasNull() ? null : restart;
        return new Node(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), resetCount, restartCount,
                rs.getLong(12));
    }

    /**
     * Creates the node bound to this EK, or returns the existing one. The caller compares EK names: an id
     * whose row names another EK is refused. Two replicas racing on the same new id both end here with the
     * row of whichever insert won.
     */
    public Node bindNode(String nodeId, String ekPublic, String ekName, long now) throws SQLException {
        Optional<Node> existing = node(nodeId);
        if (existing.isPresent()) {
            return existing.get();
        }
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement("INSERT INTO nodes (node_id, ek_public, ek_name, status,"
                        + " created_at, updated_at) VALUES (?, ?, ?, 'pending', ?, ?)")) {
            ps.setString(1, nodeId);
            ps.setString(2, ekPublic);
            ps.setString(3, ekName);
            ps.setLong(4, now);
            ps.setLong(5, now);
            ps.executeUpdate();
        } catch (SQLException e) {
            // a concurrent insert won: fall through and read its row
        }
        return node(nodeId).orElseThrow(() -> new SQLException("node row vanished: " + nodeId));
    }

    public void addEnrollChallenge(EnrollChallenge ch) throws SQLException {
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement("INSERT INTO enrollment_challenges (challenge_id, node_id,"
                        + " ak_public, ak_name, secret, expires_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, ch.challengeId());
            ps.setString(2, ch.nodeId());
            ps.setString(3, ch.akPublic());
            ps.setString(4, ch.akName());
            ps.setString(5, ch.secret());
            ps.setLong(6, ch.expiresAt());
            ps.executeUpdate();
        }
    }

    /** Removes and returns the challenge: one activation attempt per challenge, right or wrong. */
    public Optional<EnrollChallenge> takeEnrollChallenge(String challengeId, String nodeId) throws SQLException {
        try (Connection c = pool.getConnection()) {
            EnrollChallenge ch;
            try (PreparedStatement ps = c.prepareStatement("SELECT challenge_id, node_id, ak_public, ak_name, secret,"
                    + " expires_at FROM enrollment_challenges WHERE challenge_id = ? AND node_id = ?")) {
                ps.setString(1, challengeId);
                ps.setString(2, nodeId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    ch = new EnrollChallenge(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getLong(6));
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM enrollment_challenges WHERE challenge_id = ?")) {
                ps.setString(1, challengeId);
                return ps.executeUpdate() == 1 ? Optional.of(ch) : Optional.empty();
            }
        }
    }

    /** Trusts the AK for the node (after a successful ActivateCredential); refused for revoked nodes. */
    public boolean activate(String nodeId, String akPublic, String akName, long now) throws SQLException {
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement("UPDATE nodes SET ak_public = ?, ak_name = ?,"
                        + " status = 'enrolled', updated_at = ? WHERE node_id = ? AND status <> 'revoked'")) {
            ps.setString(1, akPublic);
            ps.setString(2, akName);
            ps.setLong(3, now);
            ps.setString(4, nodeId);
            return ps.executeUpdate() == 1;
        }
    }

    public boolean revoke(String nodeId, long now) throws SQLException {
        return update("UPDATE nodes SET status = 'revoked', updated_at = ? WHERE node_id = ?", now, nodeId) == 1;
    }

    public boolean assignPolicy(String nodeId, String policyId, long now) throws SQLException {
        return update("UPDATE nodes SET policy_id = ?, updated_at = ? WHERE node_id = ?", policyId, now, nodeId) == 1;
    }

    public boolean assignGroup(String nodeId, String group, long now) throws SQLException {
        return update("UPDATE nodes SET group_name = ?, updated_at = ? WHERE node_id = ?", group, now, nodeId) == 1;
    }

    public void setGroupPolicy(String group, String policyId) throws SQLException {
        if (update("UPDATE node_groups SET policy_id = ? WHERE group_name = ?", policyId, group) == 0) {
            try {
                update("INSERT INTO node_groups (group_name, policy_id) VALUES (?, ?)", group, policyId);
            } catch (SQLException e) {
                update("UPDATE node_groups SET policy_id = ? WHERE group_name = ?", policyId, group);
            }
        }
    }

    // ---- nonces ----

    @Override
    public void add(String nonceHex, String nodeId, long expiresAt) throws SQLException {
        update(noncePool, "INSERT INTO nonces (nonce, node_id, expires_at) VALUES (?, ?, ?)", nonceHex, nodeId, expiresAt);
    }

    /**
     * Uses a nonce: one atomic DELETE; only the caller whose DELETE removed the row may accept it, on
     * whichever replica. A nonce presented for another node or after expiry is removed too.
     */
    @Override
    public NonceUse use(String nonceHex, String nodeId, long now) throws SQLException {
        try (Connection c = noncePool.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM nonces WHERE nonce = ? AND node_id = ? AND expires_at > ?")) {
                ps.setString(1, nonceHex);
                ps.setString(2, nodeId);
                ps.setLong(3, now);
                if (ps.executeUpdate() == 1) {
                    return NonceUse.OK;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM nonces WHERE nonce = ?")) {
                ps.setString(1, nonceHex);
                return ps.executeUpdate() == 1 ? NonceUse.EXPIRED_OR_OTHER_NODE : NonceUse.UNKNOWN_OR_USED;
            }
        }
    }

    @Override
    public int purgeExpired(long now) throws SQLException {
        return update(noncePool, "DELETE FROM nonces WHERE expires_at <= ?", now)
                + update("DELETE FROM enrollment_challenges WHERE expires_at <= ?", now);
    }

    // ---- verdicts ----

    /** What the verdict transaction decides once the counter check has run. */
    @FunctionalInterface
    public interface VerdictBuilder {
        VerdictRow build(boolean countersMovedForward);
    }

    /**
     * In one transaction: moves the node's reset/restart counters forward (if {@code resetCount} is not
     * null; lexicographic order, equal allowed), then appends the verdict the builder makes knowing whether
     * that worked. Returns the stored row.
     */
    public VerdictRow recordVerdict(String nodeId, Long resetCount, Long restartCount, VerdictBuilder builder)
            throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                boolean forward = true;
                if (resetCount != null) {
                    try (PreparedStatement ps = c.prepareStatement("UPDATE nodes SET reset_count = ?, restart_count = ?"
                            + " WHERE node_id = ? AND (reset_count IS NULL OR reset_count < ?"
                            + " OR (reset_count = ? AND restart_count <= ?))")) {
                        ps.setLong(1, resetCount);
                        ps.setLong(2, restartCount);
                        ps.setString(3, nodeId);
                        ps.setLong(4, resetCount);
                        ps.setLong(5, resetCount);
                        ps.setLong(6, restartCount);
                        forward = ps.executeUpdate() == 1;
                    }
                }
                VerdictRow v = builder.build(forward);
                long id;
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO verdicts (node_id, status, reasons,"
                        + " policy_id, policy_digest, nonce, token, issued_at, expires_at, replica)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", new String[] {"id"})) {
                    ps.setString(1, v.nodeId());
                    ps.setString(2, v.status());
                    ps.setString(3, v.reasons());
                    ps.setString(4, v.policyId());
                    ps.setString(5, v.policyDigest());
                    ps.setString(6, v.nonce());
                    ps.setString(7, v.token());
                    ps.setLong(8, v.issuedAt());
                    ps.setLong(9, v.expiresAt());
                    ps.setString(10, v.replica());
                    ps.executeUpdate();
                    try (ResultSet rs = ps.getGeneratedKeys()) {
                        id = rs.next() ? rs.getLong(1) : -1;
                    }
                }
                c.commit();
                return new VerdictRow(id, v.nodeId(), v.status(), v.reasons(), v.policyId(), v.policyDigest(),
                        v.nonce(), v.token(), v.issuedAt(), v.expiresAt(), v.replica());
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /**
     * Status of an audit row that records a failed attempt: evidence that was not authenticated (docs/verifier.md
     * "Node state"). Such rows are never a node's verdict.
     */
    public static final String FAILED_ATTEMPT = "unauthenticated";

    /** The node's verdicts, newest first (failed attempts left out). */
    public List<VerdictRow> verdicts(String nodeId, int limit) throws SQLException {
        return auditRows(nodeId, "<>", limit);
    }

    /** The node's failed attempts, newest first. */
    public List<VerdictRow> failedAttempts(String nodeId, int limit) throws SQLException {
        return auditRows(nodeId, "=", limit);
    }

    private List<VerdictRow> auditRows(String nodeId, String attemptComparison, int limit) throws SQLException {
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT id, node_id, status, reasons, policy_id,"
                        + " policy_digest, nonce, token, issued_at, expires_at, replica FROM verdicts"
                        + " WHERE node_id = ? AND status " + attemptComparison + " ? ORDER BY id DESC LIMIT ?")) {
            ps.setString(1, nodeId);
            ps.setString(2, FAILED_ATTEMPT);
            ps.setInt(3, limit);
            List<VerdictRow> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new VerdictRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getLong(9),
                            rs.getLong(10), rs.getString(11)));
                }
            }
            return out;
        }
    }

    /** Whether a verdict for this nonce is in the audit table (a failed attempt that named it does not count). */
    public boolean hasVerdictForNonce(String nonceHex) throws SQLException {
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT 1 FROM verdicts WHERE nonce = ? AND status <> ?")) {
            ps.setString(1, nonceHex);
            ps.setString(2, FAILED_ATTEMPT);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    // ---- signing keys ----

    public void addSigningKey(String kid, String jwk, long now) throws SQLException {
        try {
            update("INSERT INTO signing_keys (kid, jwk, created_at) VALUES (?, ?, ?)", kid, jwk, now);
        } catch (SQLException e) {
            if (signingKeys().stream().noneMatch(k -> k.equals(jwk))) {
                throw e;
            }
        }
    }

    public List<String> signingKeys() throws SQLException {
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT jwk FROM signing_keys ORDER BY created_at, kid");
                ResultSet rs = ps.executeQuery()) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }

    private int update(String sql, Object... args) throws SQLException {
        return update(pool, sql, args);
    }

    private static int update(HikariDataSource on, String sql, Object... args) throws SQLException {
        try (Connection c = on.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        }
    }
}
