package io.trustbit.verifier.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.verifier.DatabaseUnreadableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged embedded database never becomes a fresh one silently, and recovery rebuilds it from what H2 can read
 * plus the journal, keeps the damaged file unchanged and holds the verifier until the report is accepted
 * (docs/verifier.md "Recovery of the embedded database").
 */
class EmbeddedRecoveryTest {
    @TempDir
    Path dir;

    private Path base() {
        return dir.resolve("verifier-db");
    }

    private String url() {
        return "jdbc:h2:file:" + base() + ";DB_CLOSE_DELAY=0";
    }

    private Path file() {
        return dir.resolve("verifier-db.mv.db");
    }

    /** A used database: two nodes with counters, one verdict each, closed cleanly (journal empty). */
    private void usedDatabase() throws SQLException {
        Store.open(url(), null, null, 2).close();
        try (Connection c = DriverManager.getConnection(url()); Statement s = c.createStatement()) {
            s.execute("INSERT INTO nodes (node_id, ek_public, ek_name, status, reset_count, restart_count, created_at,"
                    + " updated_at) VALUES ('n1', 'ek1', 'name1', 'active', 7, 3, 1, 1),"
                    + " ('n2', 'ek2', 'name2', 'revoked', 2, 0, 1, 1)");
            s.execute("INSERT INTO verdicts (node_id, status, reasons, token, issued_at, expires_at, replica)"
                    + " VALUES ('n1', 'affirming', '[]', 't1', 1, 2, 'r'), ('n2', 'contraindicated', '[]', 't2', 1, 2, 'r')");
        }
    }

    /** Zeroes the chunk pointers of both file headers: H2 reports the file corrupted and its recovery reads nothing. */
    private void destroyHeaders() throws Exception {
        byte[] b = Files.readAllBytes(file());
        for (int header : new int[] {0, 4096}) {
            Arrays.fill(b, header + 10, header + 60, (byte) 0);
        }
        Files.write(file(), b);
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void anUnreadableFileStopsTheStoreWithOneLineNamingItAndTheWayBack() throws Exception {
        usedDatabase();
        destroyHeaders();
        byte[] damaged = Files.readAllBytes(file());
        DatabaseUnreadableException e = assertThrows(DatabaseUnreadableException.class,
                () -> Store.open(url(), null, null, 2));
        assertTrue(e.getMessage().contains(file().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("trustbit verifier db recover --db " + file()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());

        // nothing readable: no database is built, the file is kept and the store still refuses (no fresh start)
        EmbeddedRecovery.Report r = EmbeddedRecovery.recover(file());
        assertFalse(r.rebuilt(), String.join("\n", r.lines()));
        assertArrayEquals(damaged, Files.readAllBytes(r.aside().resolve("verifier-db.mv.db")));
        DatabaseUnreadableException again = assertThrows(DatabaseUnreadableException.class,
                () -> Store.open(url(), null, null, 2));
        assertTrue(again.getMessage().contains("is missing"), again.getMessage());
    }

    @Test
    void aLostFileIsNotReplacedByAFreshDatabase() throws Exception {
        usedDatabase();
        Files.delete(file());
        DatabaseUnreadableException e = assertThrows(DatabaseUnreadableException.class,
                () -> Store.open(url(), null, null, 2));
        assertTrue(e.getMessage().contains(file().toString()), e.getMessage());
        assertFalse(Files.exists(file()), "a fresh database was created");
    }

    @Test
    void recoveryRebuildsReplaysTheJournalAndHoldsTheVerifierUntilAccepted() throws Exception {
        usedDatabase();
        // a verdict answered after the file's last write: only the journal has it, and the counters it moved
        try (VerdictJournal j = VerdictJournal.open(dir.resolve("verifier-db.verdicts.journal"))) {
            j.append(new VerdictJournal.Entry(50, "n1", "affirming", "[]", null, null, "aa", "t50", 5, 6, "r", 8L, 0L));
            j.awaitDurable();
        }
        try (Connection c = DriverManager.getConnection(url()); Statement s = c.createStatement()) {
            // an EK claim whose node row is gone (seen in a file damaged by a kill: its nodes table was unreadable)
            s.execute("INSERT INTO ek_claims (ek_name, node_id) VALUES ('name3', 'n3')");
        }
        byte[] original = Files.readAllBytes(file());

        EmbeddedRecovery.Report r = EmbeddedRecovery.recover(file());
        String report = String.join("\n", r.lines());
        assertTrue(r.rebuilt(), report);
        assertArrayEquals(original, Files.readAllBytes(r.aside().resolve("verifier-db.mv.db")));
        assertTrue(Files.size(r.aside().resolve("verifier-db.verdicts.journal")) > 0, "the journal's copy is kept");
        assertTrue(report.contains("put back from the journal: 1 verdicts"), report);
        assertTrue(report.contains("NOT PROVEN CURRENT"), report);
        assertTrue(report.contains("node n2: revoked, resetCount 2, restartCount 0"), report);
        assertTrue(report.contains("NODE ROWS LOST: n3 held an EK"), report);
        assertTrue(report.contains("node n3: revoked"), report);

        DatabaseUnreadableException held = assertThrows(DatabaseUnreadableException.class,
                () -> Store.open(url(), null, null, 2));
        assertTrue(held.getMessage().contains("--accept --db " + file()), held.getMessage());
        assertThrows(DatabaseUnreadableException.class, () -> EmbeddedRecovery.recover(file()));

        assertTrue(EmbeddedRecovery.accept(file()).contains(r.lines().get(0)));
        Store.open(url(), null, null, 2).close();
        try (Connection c = DriverManager.getConnection(url())) {
            assertEquals(3, count(c, "SELECT COUNT(*) FROM verdicts"));
            assertEquals(1, count(c, "SELECT COUNT(*) FROM verdicts WHERE id = 50 AND token = 't50'"));
            assertEquals(8, count(c, "SELECT reset_count FROM nodes WHERE node_id = 'n1'"));
            assertEquals(1, count(c, "SELECT COUNT(*) FROM nodes WHERE node_id = 'n2' AND status = 'revoked'"));
            try (Statement s = c.createStatement()) {
                // identities continue after the rows kept: a new verdict gets a new id
                s.execute("INSERT INTO verdicts (node_id, status, reasons, token, issued_at, expires_at, replica)"
                        + " VALUES ('n1', 'affirming', '[]', 't51', 1, 2, 'r')");
            }
            assertEquals(51, count(c, "SELECT id FROM verdicts WHERE token = 't51'"));
        }
    }
}
