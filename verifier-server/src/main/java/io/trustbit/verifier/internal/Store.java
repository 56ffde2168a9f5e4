package io.trustbit.verifier.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.flywaydb.core.Flyway;

/**
 * The verifier's database: H2 (embedded file) or PostgreSQL, same schema (Flyway migrations in
 * {@code io/trustbit/verifier/db}). Every cross-replica rule is enforced by one atomic statement:
 * nonce use is a {@code DELETE} whose update count must be 1, the EK binding is the node's primary key,
 * one TPM is one node through the primary key of {@code ek_claims}, counters only move forward through a
 * conditional {@code UPDATE}. Inserts that may meet an existing row say so in SQL ({@code MERGE} on H2,
 * {@code INSERT ... ON CONFLICT} on PostgreSQL): no database error is caught and taken for an answer.
 *
 * <p>Durability: a method that writes returns only once its change is on disk. PostgreSQL commits
 * synchronously (one WAL flush, which PostgreSQL shares among concurrent commits). On an H2 file database the
 * commit only reaches memory: a verdict then waits for its record in the {@link VerdictJournal} to be synced,
 * every other write for {@code CHECKPOINT SYNC} (both through a {@link GroupCommit}). Exception: the nonce
 * statements, see {@link #noncePool}.
 *
 * <p>Webhooks: a state change that a webhook reports (first enrollment, a verdict of another status than the
 * node's state, stale, revoked, retired) writes its event into the outbox ({@link Outbox}) in its own
 * transaction, under the node's row lock.
 */
public final class Store implements AutoCloseable, Nonces {
    /** SQL dialects where the schema's statements differ. */
    enum Dialect { H2, POSTGRESQL }

    private final HikariDataSource pool;
    private final Dialect dialect;
    /** Null unless the database is H2 (not in memory): then every write but a verdict waits for it. */
    private final GroupCommit groupCommit;
    /** Null unless the database is an H2 file: then a verdict waits for its record here. */
    private final VerdictJournal journal;
    /**
     * Nonce bookkeeping. On PostgreSQL its connections commit asynchronously (no WAL flush wait), which
     * removes two of the three flushes an attestation would otherwise wait for. Single use still holds
     * across a database crash: the verdict for a nonce is committed synchronously on {@link #pool}, and that
     * flush covers all WAL written before it, the earlier DELETE of its nonce included; a DELETE lost in a
     * crash therefore never had a verdict, and an issued nonce that is lost is simply unknown (the agent asks
     * for a new challenge).
     */
    private final HikariDataSource noncePool;
    /** The configured webhooks: a state change writes its event for those that want it ({@link Outbox}). */
    private final List<Outbox.Target> webhooks;
    /** Told after a commit that wrote an event, so that delivery starts without waiting for its next poll. */
    private volatile Runnable onEvent = () -> { };

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

    /** What {@link #activate} did. */
    public enum Activation {
        ACTIVATED,
        /** No such node, or it is revoked or retired. */
        REFUSED,
        /** The node's EK is claimed by another node id (one TPM is one node). */
        EK_IN_USE
    }

    /** What {@link #retire} did. */
    public enum Retirement { RETIRED, NOT_FOUND, REVOKED }

    private final Connection checkpointConnection;
    /**
     * H2's {@code MERGE} does not wait for a concurrent insert of the same key (the second insert fails with a
     * duplicate key instead of finding the row), so on H2 the insert-if-absent statements run one at a time in
     * this process: the embedded database has no other process. Replicas share PostgreSQL, whose
     * {@code ON CONFLICT} needs no such lock.
     */
    private final Object h2InsertIfAbsent = new Object();

    @FunctionalInterface
    private interface SqlCall<T> {
        T call() throws SQLException;
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code work} in one transaction on the main pool: committed if it returns, rolled back if it throws. */
    private <T> T transaction(Work<T> work) throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    private <T> T insertIfAbsent(SqlCall<T> call) throws SQLException {
        if (dialect != Dialect.H2) {
            return call.call();
        }
        synchronized (h2InsertIfAbsent) {
            return call.call();
        }
    }

    private Store(HikariDataSource pool, HikariDataSource noncePool, Dialect dialect, Connection checkpointConnection,
            VerdictJournal journal, List<Outbox.Target> webhooks) {
        this.pool = pool;
        this.webhooks = List.copyOf(webhooks);
        this.noncePool = noncePool;
        this.dialect = dialect;
        this.checkpointConnection = checkpointConnection;
        this.groupCommit = checkpointConnection == null ? null
                : new GroupCommit("verifier-checkpoint", () -> checkpoint(checkpointConnection));
        this.journal = journal;
    }

    /** H2: writes everything committed so far to the file and fsyncs it. */
    private static void checkpoint(Connection c) throws SQLException {
        try (java.sql.Statement s = c.createStatement()) {
            s.execute("CHECKPOINT SYNC");
        }
    }

    /** Opens the pool and migrates the schema; no webhooks. */
    public static Store open(String jdbcUrl, String user, String password, int poolSize) throws SQLException {
        return open(jdbcUrl, user, password, poolSize, List.of());
    }

    /** Opens the pool and migrates the schema; state changes write events for these webhooks. */
    public static Store open(String jdbcUrl, String user, String password, int poolSize,
            List<Outbox.Target> webhooks) throws SQLException {
        Dialect dialect;
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            dialect = Dialect.POSTGRESQL;
        } else if (jdbcUrl.startsWith("jdbc:h2:")) {
            dialect = Dialect.H2;
        } else {
            throw new IllegalArgumentException("database.url must be a jdbc:postgresql: or jdbc:h2: URL");
        }
        EmbeddedFile file = EmbeddedFile.of(jdbcUrl);
        HikariDataSource ds;
        try {
            if (file != null) {
                file.checkBeforeOpen();
            }
            ds = pool(jdbcUrl, user, password, poolSize, "trustbit-verifier", null);
        } catch (SQLException | RuntimeException e) {
            throw rethrown(file == null ? e : file.classify(e));
        }
        HikariDataSource nonces = null;
        Connection checkpoints = null;
        VerdictJournal journal = null;
        try {
            if (file != null) {
                file.checkNotEmptied(ds);
            }
            Flyway.configure().dataSource(ds).locations("classpath:io/trustbit/verifier/db").load().migrate();
            if (dialect == Dialect.POSTGRESQL) {
                nonces = pool(jdbcUrl, user, password, poolSize, "trustbit-verifier-nonces",
                        "SET synchronous_commit TO off");
            } else if (!jdbcUrl.startsWith("jdbc:h2:mem:")) {
                checkpoints = DriverManager.getConnection(jdbcUrl, user, password);
                if (file != null) {
                    journal = VerdictJournal.open(file.journal());
                    replay(journal, ds, checkpoints);
                }
            }
            return new Store(ds, nonces != null ? nonces : ds, dialect, checkpoints, journal, webhooks);
        } catch (SQLException | IOException | RuntimeException e) {
            if (journal != null) {
                closeQuietly(journal);
            }
            if (checkpoints != null) {
                checkpoints.close();
            }
            if (nonces != null) {
                nonces.close();
            }
            ds.close();
            if (e instanceof IOException io) {
                throw new SQLException("verdict journal: " + io.getMessage(), io);
            }
            throw rethrown(file == null ? e : file.classify(e));
        }
    }

    private static SQLException rethrown(Exception e) {
        if (e instanceof SQLException sql) {
            return sql;
        }
        throw (RuntimeException) e;
    }

    /**
     * Puts back every journaled verdict that H2 lost in a crash (same id, token and all) and moves its node's
     * counters forward as its transaction did; then makes H2's file durable and empties the journal.
     */
    private static void replay(VerdictJournal journal, HikariDataSource ds, Connection checkpoints)
            throws IOException, SQLException {
        List<VerdictJournal.Entry> entries = journal.read();
        if (entries.isEmpty()) {
            journal.reset(() -> { });
            return;
        }
        long maxId = 0;
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            for (VerdictJournal.Entry e : entries) {
                maxId = Math.max(maxId, e.id());
                try (PreparedStatement ps = c.prepareStatement("SELECT token FROM verdicts WHERE id = ?")) {
                    ps.setLong(1, e.id());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            if (!rs.getString(1).equals(e.token())) {
                                throw new SQLException("verdict " + e.id() + " in the database differs from the journal");
                            }
                            continue;
                        }
                    }
                }
                insertVerdict(c, e.id(), new VerdictRow(e.id(), e.nodeId(), e.status(), e.reasons(), e.policyId(),
                        e.policyDigest(), e.nonce(), e.token(), e.issuedAt(), e.expiresAt(), e.replica()));
                if (e.resetCount() != null) {
                    moveCountersForward(c, e.nodeId(), e.resetCount(), e.restartCount());
                }
                if (!e.status().equals(FAILED_ATTEMPT)) {
                    // a journaled verdict did not change the node's verdict state (one that did waited for a
                    // checkpoint, see recordVerdict): only its latest verdict moves forward
                    update(c, "UPDATE nodes SET verdict_id = ?, verdict_expires_at = ? WHERE node_id = ?"
                            + " AND (verdict_id IS NULL OR verdict_id < ?)", e.id(), e.expiresAt(), e.nodeId(), e.id());
                }
            }
            try (java.sql.Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(id), 0) FROM verdicts")) {
                rs.next();
                maxId = Math.max(maxId, rs.getLong(1));
            }
            try (java.sql.Statement s = c.createStatement()) {
                // the identity's position was lost with the rows: continue after every id in use
                s.execute("ALTER TABLE verdicts ALTER COLUMN id RESTART WITH " + (maxId + 1));
            }
            c.commit();
        }
        journal.reset(() -> checkpoint(checkpoints));
    }

    private static void closeQuietly(VerdictJournal journal) {
        try {
            journal.close();
        } catch (IOException e) {
            // already failing: the original error is the one reported
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
        if (journal != null) {
            closeQuietly(journal);
        }
        if (groupCommit != null) {
            groupCommit.close();
            try {
                checkpointConnection.close();
            } catch (SQLException e) {
                // the database closes with the pool's connections either way
            }
        }
        if (noncePool != pool) {
            noncePool.close();
        }
        pool.close();
    }

    /** Returns once everything this thread committed is on disk (see the class comment). */
    private void durable() throws SQLException {
        if (groupCommit != null) {
            groupCommit.awaitDurable();
        }
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
     * row of whichever insert won (the insert does nothing where the id exists).
     */
    public Node bindNode(String nodeId, String ekPublic, String ekName, long now) throws SQLException {
        Optional<Node> existing = node(nodeId);
        if (existing.isPresent()) {
            return existing.get();
        }
        String sql = switch (dialect) {
            case POSTGRESQL -> "INSERT INTO nodes (node_id, ek_public, ek_name, status, created_at, updated_at)"
                    + " VALUES (?, ?, ?, 'pending', ?, ?) ON CONFLICT (node_id) DO NOTHING";
            case H2 -> "MERGE INTO nodes t USING (VALUES (CAST(? AS VARCHAR))) s(node_id) ON t.node_id = s.node_id"
                    + " WHEN NOT MATCHED THEN INSERT (node_id, ek_public, ek_name, status, created_at, updated_at)"
                    + " VALUES (s.node_id, ?, ?, 'pending', ?, ?)";
        };
        return insertIfAbsent(() -> {
            update(sql, nodeId, ekPublic, ekName, now, now);
            return node(nodeId).orElseThrow(() -> new SQLException("node row vanished: " + nodeId));
        });
    }

    /** The node id that holds this EK (by Name), if any: the one node this TPM may attest as. */
    public Optional<String> ekHolder(String ekName) throws SQLException {
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT node_id FROM ek_claims WHERE ek_name = ?")) {
            ps.setString(1, ekName);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
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
        durable();
    }

    /** Removes and returns the challenge: one activation attempt per challenge, right or wrong. */
    public Optional<EnrollChallenge> takeEnrollChallenge(String challengeId, String nodeId) throws SQLException {
        EnrollChallenge ch;
        try (Connection c = pool.getConnection()) {
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
                if (ps.executeUpdate() != 1) {
                    return Optional.empty();
                }
            }
        }
        durable();
        return Optional.of(ch);
    }

    /**
     * Trusts the AK for the node (after a successful ActivateCredential), in one transaction: refused for
     * unknown, revoked and retired nodes; the node claims its EK in {@code ek_claims} (whose primary key is the
     * EK Name), and if another node id holds that EK the activation is refused and nothing changes. Two ids
     * racing for one EK: PostgreSQL's {@code ON CONFLICT DO NOTHING} waits for the other transaction, and the
     * claim read afterwards names the winner.
     */
    public Activation activate(String nodeId, String akPublic, String akName, long now) throws SQLException {
        Activation result = insertIfAbsent(() -> activateInTransaction(nodeId, akPublic, akName, now));
        if (result == Activation.ACTIVATED) {
            durable();
            onEvent.run();
        }
        return result;
    }

    private Activation activateInTransaction(String nodeId, String akPublic, String akName, long now)
            throws SQLException {
        Activation result;
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                result = activate(c, nodeId, akPublic, akName, now);
                if (result == Activation.ACTIVATED) {
                    c.commit();
                } else {
                    c.rollback();
                }
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
        return result;
    }

    private Activation activate(Connection c, String nodeId, String akPublic, String akName, long now)
            throws SQLException {
        String ekName;
        String status;
        try (PreparedStatement ps = c.prepareStatement("SELECT ek_name, status FROM nodes WHERE node_id = ? FOR UPDATE")) {
            ps.setString(1, nodeId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getString(2).equals("revoked") || rs.getString(2).equals("retired")) {
                    return Activation.REFUSED;
                }
                ekName = rs.getString(1);
                status = rs.getString(2);
            }
        }
        String claim = switch (dialect) {
            case POSTGRESQL -> "INSERT INTO ek_claims (ek_name, node_id) VALUES (?, ?) ON CONFLICT (ek_name) DO NOTHING";
            case H2 -> "MERGE INTO ek_claims t USING (VALUES (CAST(? AS VARCHAR), CAST(? AS VARCHAR)))"
                    + " s(ek_name, node_id) ON t.ek_name = s.ek_name"
                    + " WHEN NOT MATCHED THEN INSERT (ek_name, node_id) VALUES (s.ek_name, s.node_id)";
        };
        try (PreparedStatement ps = c.prepareStatement(claim)) {
            ps.setString(1, ekName);
            ps.setString(2, nodeId);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT node_id FROM ek_claims WHERE ek_name = ?")) {
            ps.setString(1, ekName);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("EK claim of " + nodeId + " vanished");
                }
                if (!rs.getString(1).equals(nodeId)) {
                    return Activation.EK_IN_USE;
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE nodes SET ak_public = ?, ak_name = ?,"
                + " status = 'enrolled', updated_at = ? WHERE node_id = ?")) {
            ps.setString(1, akPublic);
            ps.setString(2, akName);
            ps.setLong(3, now);
            ps.setString(4, nodeId);
            if (ps.executeUpdate() != 1) {
                throw new SQLException("node row of " + nodeId + " vanished during activation");
            }
        }
        if (status.equals("pending")) {
            ObjectNode data = eventData(nodeId);
            data.put("akName", akName);
            Outbox.enqueue(c, webhooks, new Outbox.Event("enrolled-" + nodeId, nodeId, Outbox.EventType.ENROLLED, data),
                    now);
        }
        return Activation.ACTIVATED;
    }

    /** Revokes the node; it keeps its EK claim, so its TPM cannot come back under another id either. */
    public boolean revoke(String nodeId, long now) throws SQLException {
        boolean found = transaction(c -> {
            LockedNode locked = lockNode(c, nodeId);
            if (locked == null) {
                return false;
            }
            String previous = locked.status();
            update(c, "UPDATE nodes SET status = 'revoked', updated_at = ? WHERE node_id = ?", now, nodeId);
            if (!previous.equals("revoked")) {
                ObjectNode data = eventData(nodeId);
                data.put("previous", previous);
                Outbox.enqueue(c, webhooks, new Outbox.Event("revoked-" + nodeId, nodeId, Outbox.EventType.REVOKED,
                        data), now);
            }
            return true;
        });
        durable();
        onEvent.run();
        return found;
    }

    /** A node's row as locked by {@link #lockNode}. */
    private record LockedNode(String status, String verdictState) {}

    /**
     * Locks the node's row (whoever writes a node's events holds it, so they are written in order) and returns
     * its status and verdict state; null if there is no such node.
     */
    private static LockedNode lockNode(Connection c, String nodeId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT status, verdict_state FROM nodes WHERE node_id = ?"
                + " FOR UPDATE")) {
            ps.setString(1, nodeId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new LockedNode(rs.getString(1), rs.getString(2)) : null;
            }
        }
    }

    /**
     * Retires the node (an administrator moves its TPM to a new id): the id can never enroll or attest again,
     * and its EK claim is released so that the TPM may enroll under another id. A revoked node stays revoked.
     */
    public Retirement retire(String nodeId, long now) throws SQLException {
        Retirement result = transaction(c -> {
            LockedNode locked = lockNode(c, nodeId);
            if (locked == null) {
                return Retirement.NOT_FOUND;
            }
            String previous = locked.status();
            if (previous.equals("revoked")) {
                return Retirement.REVOKED;
            }
            update(c, "UPDATE nodes SET status = 'retired', updated_at = ? WHERE node_id = ?", now, nodeId);
            update(c, "DELETE FROM ek_claims WHERE node_id = ?", nodeId);
            if (!previous.equals("retired")) {
                ObjectNode data = eventData(nodeId);
                data.put("previous", previous);
                Outbox.enqueue(c, webhooks, new Outbox.Event("retired-" + nodeId, nodeId, Outbox.EventType.RETIRED,
                        data), now);
            }
            return Retirement.RETIRED;
        });
        durable();
        onEvent.run();
        return result;
    }

    public boolean assignPolicy(String nodeId, String policyId, long now) throws SQLException {
        return update("UPDATE nodes SET policy_id = ?, updated_at = ? WHERE node_id = ?", policyId, now, nodeId) == 1;
    }

    public boolean assignGroup(String nodeId, String group, long now) throws SQLException {
        return update("UPDATE nodes SET group_name = ?, updated_at = ? WHERE node_id = ?", group, now, nodeId) == 1;
    }

    public void setGroupPolicy(String group, String policyId) throws SQLException {
        insertIfAbsent(() -> update(switch (dialect) {
            case POSTGRESQL -> "INSERT INTO node_groups (group_name, policy_id) VALUES (?, ?)"
                    + " ON CONFLICT (group_name) DO UPDATE SET policy_id = EXCLUDED.policy_id";
            case H2 -> "MERGE INTO node_groups KEY (group_name) VALUES (?, ?)";
        }, group, policyId));
    }

    // ---- IMA appraisal state (V5) ----

    /**
     * Where the appraisal of a node's IMA measurement list stands: in the boot the TPM counted as
     * {@code resetCount}/{@code restartCount}, up to entry {@code nextEntry} at byte {@code byteOffset}, with
     * the running PCR 10 per bank ({@code ImaReplayState.encode}, base64).
     */
    public record ImaStateRow(long resetCount, long restartCount, long nextEntry, long byteOffset, String pcr) {}

    public Optional<ImaStateRow> imaState(String nodeId) throws SQLException {
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT reset_count, restart_count, next_entry, byte_offset, pcr"
                        + " FROM ima_state WHERE node_id = ?")) {
            ps.setString(1, nodeId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new ImaStateRow(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
                        rs.getString(5))) : Optional.empty();
            }
        }
    }

    /**
     * Stores where the node's IMA appraisal stands, replacing what was there (an older boot's state included).
     * Not waited onto disk with the embedded database: a state lost in a crash only makes the node send its
     * list again from an older position (docs/verifier.md "IMA"), while waiting would cost every attestation a
     * database checkpoint.
     */
    public void saveImaState(String nodeId, ImaStateRow s, long now) throws SQLException {
        insertIfAbsent(() -> update(pool, switch (dialect) {
            case POSTGRESQL -> "INSERT INTO ima_state (node_id, reset_count, restart_count, next_entry, byte_offset, pcr,"
                    + " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (node_id) DO UPDATE SET"
                    + " reset_count = EXCLUDED.reset_count, restart_count = EXCLUDED.restart_count,"
                    + " next_entry = EXCLUDED.next_entry, byte_offset = EXCLUDED.byte_offset, pcr = EXCLUDED.pcr,"
                    + " updated_at = EXCLUDED.updated_at";
            case H2 -> "MERGE INTO ima_state KEY (node_id) VALUES (?, ?, ?, ?, ?, ?, ?)";
        }, nodeId, s.resetCount(), s.restartCount(), s.nextEntry(), s.byteOffset(), s.pcr(), now));
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
     * that worked; a verdict (not a failed attempt) becomes the node's latest under its row lock, and if its
     * status differs from the node's verdict state the transition's event goes to the outbox. Returns the
     * stored row once it is on disk.
     */
    public VerdictRow recordVerdict(String nodeId, Long resetCount, Long restartCount, VerdictBuilder builder)
            throws SQLException {
        return recordVerdict(nodeId, resetCount, restartCount, null, builder);
    }

    /**
     * {@link #recordVerdict(String, Long, Long, VerdictBuilder)} with the launch chain (JSON) that the verdict's
     * verified DRTM log proved, if any: written in the verdict's transaction when it differs from the stored one.
     * The usual verdict (counters forward, the node's verdict state unchanged) costs one conditional update of
     * the node's row, which takes the row lock, moves the counters and the verdict's expiry and checks the state,
     * then the insert; otherwise (a transition, counters backwards, a failed attempt) the verdict is built again
     * if it has to be and recorded as described above. The builder may be called twice.
     */
    public VerdictRow recordVerdict(String nodeId, Long resetCount, Long restartCount, String chainJson,
            VerdictBuilder builder) throws SQLException {
        VerdictRow row;
        boolean event = false;
        boolean forward = true;
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                VerdictRow v = builder.build(true);
                long id;
                if (!v.status().equals(FAILED_ATTEMPT) && sameVerdictState(c, nodeId, resetCount, restartCount, v)) {
                    id = insertVerdict(c, null, v);
                } else {
                    if (resetCount != null) {
                        forward = moveCountersForward(c, nodeId, resetCount, restartCount);
                    }
                    if (!forward) {
                        v = builder.build(false);
                    }
                    String previous = null;
                    if (!v.status().equals(FAILED_ATTEMPT)) {
                        LockedNode locked = lockNode(c, nodeId);
                        if (locked == null) {
                            throw new SQLException("no node row for the verdict of " + nodeId);
                        }
                        previous = locked.verdictState();
                    }
                    id = insertVerdict(c, null, v);
                    if (!v.status().equals(FAILED_ATTEMPT)) {
                        update(c, "UPDATE nodes SET verdict_state = ?, verdict_id = ?, verdict_expires_at = ?"
                                + " WHERE node_id = ?", v.status(), id, v.expiresAt(), nodeId);
                        if (!v.status().equals(previous)) {
                            event = Outbox.enqueue(c, webhooks, verdictChanged(id, v, previous), v.issuedAt());
                        }
                    }
                }
                if (chainJson != null && !v.status().equals(FAILED_ATTEMPT)) {
                    putLaunchChain(c, nodeId, chainJson, v.issuedAt());
                }
                c.commit();
                row = new VerdictRow(id, v.nodeId(), v.status(), v.reasons(), v.policyId(), v.policyDigest(),
                        v.nonce(), v.token(), v.issuedAt(), v.expiresAt(), v.replica());
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
        if (journal == null || event) {
            // a verdict with an event waits for the checkpoint, which also makes its event durable: the journal
            // restores verdicts only, and an event must not be lost once a receiver may have seen it
            durable();
            if (event) {
                onEvent.run();
            }
            return row;
        }
        boolean moved = resetCount != null && forward;
        long size = journal.append(new VerdictJournal.Entry(row.id(), row.nodeId(), row.status(), row.reasons(),
                row.policyId(), row.policyDigest(), row.nonce(), row.token(), row.issuedAt(), row.expiresAt(),
                row.replica(), moved ? resetCount : null, moved ? restartCount : null));
        if (size > VerdictJournal.LIMIT) {
            journal.reset(groupCommit::awaitDurable);
        }
        journal.awaitDurable();
        return row;
    }

    /**
     * The usual verdict's one statement on the node's row: if the node's verdict state already is the verdict's
     * status and the counters move forward (or there are none), moves the counters and the verdict expiry (which
     * stale detection reads) and returns true, holding the row lock; otherwise changes nothing and returns false.
     * The node's {@code verdict_id} is then left at the verdict that set the state.
     */
    private static boolean sameVerdictState(Connection c, String nodeId, Long resetCount, Long restartCount,
            VerdictRow v) throws SQLException {
        if (resetCount == null) {
            return update(c, "UPDATE nodes SET verdict_expires_at = ? WHERE node_id = ? AND verdict_state = ?",
                    v.expiresAt(), nodeId, v.status()) == 1;
        }
        return update(c, "UPDATE nodes SET reset_count = ?, restart_count = ?, verdict_expires_at = ?"
                + " WHERE node_id = ? AND verdict_state = ? AND (reset_count IS NULL OR reset_count < ?"
                + " OR (reset_count = ? AND restart_count <= ?))", resetCount, restartCount, v.expiresAt(), nodeId,
                v.status(), resetCount, resetCount, restartCount) == 1;
    }

    private static Outbox.Event verdictChanged(long verdictId, VerdictRow v, String previous) {
        ObjectNode data = eventData(v.nodeId());
        data.put("verdictId", verdictId);
        data.put("previous", previous);
        data.put("status", v.status());
        data.set("reasons", Json.tree(v.reasons().getBytes(StandardCharsets.UTF_8)));
        data.put("policyId", v.policyId());
        data.put("issuedAt", Instant.ofEpochMilli(v.issuedAt()).toString());
        data.put("expiresAt", Instant.ofEpochMilli(v.expiresAt()).toString());
        return new Outbox.Event("verdict-" + verdictId, v.nodeId(), Outbox.EventType.VERDICT_CHANGED, data);
    }

    private static ObjectNode eventData(String nodeId) {
        ObjectNode data = Json.MAPPER.createObjectNode();
        data.put("nodeId", nodeId);
        return data;
    }

    /** The conditional counter update of check 8: true if the counters moved forward (or stayed). */
    private static boolean moveCountersForward(Connection c, String nodeId, long resetCount, long restartCount)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE nodes SET reset_count = ?, restart_count = ?"
                + " WHERE node_id = ? AND (reset_count IS NULL OR reset_count < ?"
                + " OR (reset_count = ? AND restart_count <= ?))")) {
            ps.setLong(1, resetCount);
            ps.setLong(2, restartCount);
            ps.setString(3, nodeId);
            ps.setLong(4, resetCount);
            ps.setLong(5, resetCount);
            ps.setLong(6, restartCount);
            return ps.executeUpdate() == 1;
        }
    }

    /** Inserts a verdict row, with the given id or (null) a generated one; returns the id. */
    private static long insertVerdict(Connection c, Long id, VerdictRow v) throws SQLException {
        String cols = "node_id, status, reasons, policy_id, policy_digest, nonce, token, issued_at, expires_at, replica";
        String sql = id == null ? "INSERT INTO verdicts (" + cols + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                : "INSERT INTO verdicts (" + cols + ", id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        try (PreparedStatement ps = id == null ? c.prepareStatement(sql, new String[] {"id"}) : c.prepareStatement(sql)) {
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
            if (id != null) {
                ps.setLong(11, id);
                ps.executeUpdate();
                return id;
            }
            ps.executeUpdate();
            try (ResultSet rs = ps.getGeneratedKeys()) {
                if (!rs.next()) {
                    throw new SQLException("no id generated for the verdict of " + v.nodeId());
                }
                return rs.getLong(1);
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

    // ---- webhooks ----

    /** The configured webhooks. */
    public List<Outbox.Target> webhooks() {
        return webhooks;
    }

    /** Runs {@code listener} after each commit that may have written an event. */
    public void onEvent(Runnable listener) {
        onEvent = listener;
    }

    /**
     * Stale detection: every enrolled node whose latest verdict expired at or before {@code now} becomes stale,
     * each in its own transaction under its row lock and checked again there (so that two replicas, or a
     * verdict arriving meanwhile, decide once). Returns how many went stale.
     */
    public int markStale(long now) throws SQLException {
        List<String> candidates = new ArrayList<>();
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT node_id FROM nodes WHERE status = 'enrolled'"
                        + " AND verdict_state <> 'stale' AND verdict_expires_at <= ?")) {
            ps.setLong(1, now);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    candidates.add(rs.getString(1));
                }
            }
        }
        int stale = 0;
        for (String nodeId : candidates) {
            if (transaction(c -> markStale(c, nodeId, now))) {
                stale++;
            }
        }
        if (stale > 0) {
            durable();
            onEvent.run();
        }
        return stale;
    }

    private boolean markStale(Connection c, String nodeId, long now) throws SQLException {
        String previous;
        long verdictId;
        long expiresAt;
        try (PreparedStatement ps = c.prepareStatement("SELECT verdict_state, verdict_expires_at FROM nodes"
                + " WHERE node_id = ? AND status = 'enrolled' AND verdict_state <> 'stale' AND verdict_expires_at <= ?"
                + " FOR UPDATE")) {
            ps.setString(1, nodeId);
            ps.setLong(2, now);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
                previous = rs.getString(1);
                expiresAt = rs.getLong(2);
            }
        }
        // the expired verdict is the node's latest: a verdict of the node is written under the row lock held here
        // (the node's verdict_id is not moved by every verdict)
        try (PreparedStatement ps = c.prepareStatement("SELECT MAX(id) FROM verdicts WHERE node_id = ? AND status <> ?")) {
            ps.setString(1, nodeId);
            ps.setString(2, FAILED_ATTEMPT);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                verdictId = rs.getLong(1);
            }
        }
        update(c, "UPDATE nodes SET verdict_state = 'stale' WHERE node_id = ?", nodeId);
        ObjectNode data = eventData(nodeId);
        data.put("previous", previous);
        data.put("verdictId", verdictId);
        data.put("expiredAt", Instant.ofEpochMilli(expiresAt).toString());
        Outbox.enqueue(c, webhooks, new Outbox.Event("stale-" + verdictId, nodeId, Outbox.EventType.STALE, data), now);
        return true;
    }

    /** Returns once everything committed so far is on disk: the dispatcher sends only durable events. */
    public void awaitDurable() throws SQLException {
        durable();
    }

    public List<Outbox.Due> dueDeliveries(String webhook, long now, int limit) throws SQLException {
        try (Connection c = pool.getConnection()) {
            return Outbox.due(c, webhook, now, limit);
        }
    }

    public boolean leaseDelivery(String webhook, long seq, String owner, long now, long until) throws SQLException {
        try (Connection c = pool.getConnection()) {
            return Outbox.lease(c, webhook, seq, owner, now, until);
        }
    }

    /**
     * Marks a delivery made. Not made durable on the embedded database: after a crash that loses the mark the
     * event is sent again, with the same idempotency key (at least once).
     */
    public void deliveryMade(String webhook, long seq, long now) throws SQLException {
        try (Connection c = pool.getConnection()) {
            Outbox.delivered(c, webhook, seq, now);
        }
    }

    public void deliveryFailed(String webhook, long seq, long nextAttemptAt, String error) throws SQLException {
        try (Connection c = pool.getConnection()) {
            Outbox.failed(c, webhook, seq, nextAttemptAt, error);
        }
    }

    public int releaseLeases(String owner) throws SQLException {
        try (Connection c = pool.getConnection()) {
            return Outbox.releaseLeases(c, owner);
        }
    }

    /** The delivery state of every configured webhook, with up to {@code limit} undelivered events each. */
    public List<Outbox.State> webhookStates(int limit) throws SQLException {
        List<Outbox.State> out = new ArrayList<>();
        try (Connection c = pool.getConnection()) {
            for (Outbox.Target t : webhooks) {
                out.add(Outbox.state(c, t.name(), limit));
            }
        }
        return out;
    }

    public int purgeDelivered(long before) throws SQLException {
        try (Connection c = pool.getConnection()) {
            return Outbox.purgeDelivered(c, before);
        }
    }

    // ---- signing keys ----

    /** Registers a replica's public verdict key; a kid already registered must name the same key. */
    public void addSigningKey(String kid, String jwk, long now) throws SQLException {
        insertIfAbsent(() -> update(switch (dialect) {
            case POSTGRESQL -> "INSERT INTO signing_keys (kid, jwk, created_at) VALUES (?, ?, ?)"
                    + " ON CONFLICT (kid) DO NOTHING";
            case H2 -> "MERGE INTO signing_keys t USING (VALUES (CAST(? AS VARCHAR))) s(kid) ON t.kid = s.kid"
                    + " WHEN NOT MATCHED THEN INSERT (kid, jwk, created_at) VALUES (s.kid, ?, ?)";
        }, kid, jwk, now));
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT jwk FROM signing_keys WHERE kid = ?")) {
            ps.setString(1, kid);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || !rs.getString(1).equals(jwk)) {
                    throw new SQLException("signing key " + kid + " is registered with another public key");
                }
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

    // ---- the dashboard's views ----

    /**
     * A node as the fleet view lists it: its row and its latest verdict (failed attempts left out; all verdict
     * fields null when it has none).
     */
    public record FleetRow(String nodeId, String status, String policyId, String groupName, String groupPolicyId,
            String verdictStatus, String reasons, Long issuedAt, Long expiresAt) {}

    /** Where a fleet view stands: the newest verdict id and the newest node change it has seen. */
    public record FleetCursor(long verdictId, long nodeUpdatedAt) {}

    /** One read of the fleet: the rows and the cursor to ask for the changes after them. */
    public record FleetRead(FleetCursor cursor, List<FleetRow> rows) {}

    private static final String FLEET_SELECT = "SELECT n.node_id, n.status, n.policy_id, n.group_name, g.policy_id,"
            + " v.status, v.reasons, v.issued_at, v.expires_at"
            + " FROM nodes n LEFT JOIN node_groups g ON g.group_name = n.group_name"
            + " LEFT JOIN verdicts v ON v.id = (SELECT x.id FROM verdicts x WHERE x.node_id = n.node_id"
            + " AND x.status <> ? ORDER BY x.id DESC LIMIT 1)";

    /**
     * How far back in time a fleet cursor reaches for node rows: an update stamped before a read may commit
     * after it (the stamp is taken before the commit, and replicas' clocks differ a little), so each read
     * covers the last seconds again; a client merges the repeated rows.
     */
    static final long FLEET_NODE_WINDOW_MILLIS = 2_000;

    /**
     * Every node with its latest verdict ({@code since} null), or only the nodes that changed since the cursor:
     * a verdict or failed attempt after its verdict id, or a node row updated after its time. The cursor is read
     * first, so nothing committed between the reads is lost: it shows up again in the next read; its time is at
     * most {@code now} minus {@link #FLEET_NODE_WINDOW_MILLIS}. Changed ids are found first (a primary-key range
     * and a scan of one column) and then read by primary key; one statement with the condition in it made H2
     * evaluate the condition's subquery once per node.
     */
    public FleetRead fleet(FleetCursor since, int limit, long now) throws SQLException {
        try (Connection c = pool.getConnection()) {
            FleetCursor cursor;
            try (PreparedStatement ps = c.prepareStatement("SELECT (SELECT COALESCE(MAX(id), 0) FROM verdicts),"
                    + " (SELECT COALESCE(MAX(updated_at), 0) FROM nodes)");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                cursor = new FleetCursor(rs.getLong(1), Math.min(rs.getLong(2), now - FLEET_NODE_WINDOW_MILLIS));
            }
            if (since == null) {
                return new FleetRead(cursor, fleetRows(c, " ORDER BY n.node_id LIMIT ?", List.of(), limit));
            }
            List<String> changed = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT node_id FROM verdicts WHERE id > ?"
                    + " UNION SELECT node_id FROM nodes WHERE updated_at > ?")) {
                ps.setLong(1, since.verdictId());
                ps.setLong(2, since.nodeUpdatedAt());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next() && changed.size() <= limit) {
                        changed.add(rs.getString(1));
                    }
                }
            }
            Collections.sort(changed);
            List<FleetRow> rows = new ArrayList<>();
            for (int i = 0; i < changed.size() && rows.size() < limit; i += FLEET_IDS_PER_STATEMENT) {
                List<String> ids = changed.subList(i, Math.min(changed.size(), i + FLEET_IDS_PER_STATEMENT));
                String in = " WHERE n.node_id IN (" + "?, ".repeat(ids.size() - 1) + "?) ORDER BY n.node_id LIMIT ?";
                rows.addAll(fleetRows(c, in, ids, limit - rows.size()));
            }
            return new FleetRead(cursor, rows);
        }
    }

    private static final int FLEET_IDS_PER_STATEMENT = 500;

    private static List<FleetRow> fleetRows(Connection c, String where, List<String> ids, int limit)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(FLEET_SELECT + where)) {
            int i = 1;
            ps.setString(i++, FAILED_ATTEMPT);
            for (String id : ids) {
                ps.setString(i++, id);
            }
            ps.setInt(i, limit);
            List<FleetRow> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long issued = rs.getLong(8);
                    Long issuedAt = rs.wasNull() ? null : issued;
                    long expires = rs.getLong(9);
                    Long expiresAt = rs.wasNull() ? null : expires;
                    rows.add(new FleetRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getString(7), issuedAt, expiresAt));
                }
            }
            return rows;
        }
    }

    /**
     * Records the launch chain the node's verdict proved (JSON) in the verdict's transaction, under the node's row
     * lock; a row holding the same chain is left alone (the usual case: a node relaunches rarely), so
     * {@code recorded_at} says since when the node runs this chain. Replicas on one database agree: what is
     * compared is the stored row.
     */
    private void putLaunchChain(Connection c, String nodeId, String chainJson, long now) throws SQLException {
        switch (dialect) {
            // not ON CONFLICT ... WHERE alone: that locks (and so writes) the unchanged row
            case POSTGRESQL -> update(c, "INSERT INTO launch_chains (node_id, chain, recorded_at) SELECT ?, ?, ?"
                    + " WHERE NOT EXISTS (SELECT 1 FROM launch_chains WHERE node_id = ? AND chain = ?)"
                    + " ON CONFLICT (node_id) DO UPDATE SET chain = EXCLUDED.chain, recorded_at = EXCLUDED.recorded_at",
                    nodeId, chainJson, now, nodeId, chainJson);
            case H2 -> update(c, "MERGE INTO launch_chains t USING (VALUES (CAST(? AS VARCHAR), CAST(? AS VARCHAR),"
                    + " CAST(? AS BIGINT))) s(node_id, chain, recorded_at) ON t.node_id = s.node_id"
                    + " WHEN MATCHED AND t.chain <> s.chain THEN UPDATE SET chain = s.chain, recorded_at = s.recorded_at"
                    + " WHEN NOT MATCHED THEN INSERT (node_id, chain, recorded_at) VALUES (s.node_id, s.chain, s.recorded_at)",
                    nodeId, chainJson, now);
        }
    }

    /** The launch chain the node last proved (JSON) and since when, if any. */
    public Optional<LaunchChainRow> launchChain(String nodeId) throws SQLException {
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT chain, recorded_at FROM launch_chains WHERE node_id = ?")) {
            ps.setString(1, nodeId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new LaunchChainRow(rs.getString(1), rs.getLong(2))) : Optional.empty();
            }
        }
    }

    public record LaunchChainRow(String chain, long recordedAt) {}

    /** Every node's last proven launch chain (JSON), by node id: the node list reads the guests in them. */
    public Map<String, String> launchChains() throws SQLException {
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT node_id, chain FROM launch_chains")) {
            Map<String, String> out = new HashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
            return out;
        }
    }

    /** One statement on the main pool, durable when it returns. */
    private int update(String sql, Object... args) throws SQLException {
        int n = update(pool, sql, args);
        durable();
        return n;
    }

    private static int update(HikariDataSource on, String sql, Object... args) throws SQLException {
        try (Connection c = on.getConnection()) {
            return update(c, sql, args);
        }
    }

    /** One statement in the caller's transaction; returns the update count. */
    static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        }
    }
}
