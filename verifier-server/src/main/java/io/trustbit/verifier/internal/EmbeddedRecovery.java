package io.trustbit.verifier.internal;

import io.trustbit.verifier.DatabaseUnreadableException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.h2.tools.Recover;
import org.h2.tools.RunScript;

/**
 * Rebuilds an embedded database whose file H2 cannot open ({@code trustbit verifier db recover}, docs/verifier.md
 * "Recovery of the embedded database"). The damaged file is moved aside unchanged (with a copy of the journal),
 * H2's {@link Recover} dumps what it can still read, the dump is loaded into a new file beside it, opening the
 * store there replays a copy of the journal, and the new file is moved to the old place last. H2 cannot tell whether what it read was the newest state: counters and
 * revocations written after it would be gone without a trace. So the rebuilt database is marked
 * ({@code BASE.recovered}, holding the report) and the verifier refuses to start on it until the operator has
 * read the report and accepts it ({@link #accept}).
 */
public final class EmbeddedRecovery {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private EmbeddedRecovery() {}

    /** What a recovery did; {@code lines} is the report printed and kept in the marker. */
    public record Report(boolean rebuilt, Path aside, List<String> lines) {}

    /** {@code db}: the database file ({@code BASE.mv.db}) or its base path. */
    public static Report recover(Path db) throws IOException, SQLException {
        EmbeddedFile file = fileOf(db);
        Path database = file.database();
        if (Files.exists(file.recoveredMarker())) {
            throw new DatabaseUnreadableException(database + " was already rebuilt and waits for review (see "
                    + file.recoveredMarker() + "); run with --accept once reviewed", null);
        }
        if (!Files.isRegularFile(database)) {
            throw new DatabaseUnreadableException("no database file " + database, null);
        }
        refuseIfInUse(database);
        String name = file.base.getFileName().toString();
        Path aside = file.base.resolveSibling(name + ".broken-" + STAMP.format(Instant.now()));
        Files.createDirectory(aside);
        Files.move(database, aside.resolve(database.getFileName()), StandardCopyOption.ATOMIC_MOVE);
        if (Files.exists(file.journal())) {
            Files.copy(file.journal(), aside.resolve(file.journal().getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
        }
        List<String> lines = new ArrayList<>();
        lines.add("damaged file kept unchanged: " + aside.resolve(database.getFileName()));
        Path dump = dump(aside, name);
        String script = Files.readString(dump, StandardCharsets.UTF_8);
        long unreadable = script.lines().filter(l -> l.startsWith("// error") || l.startsWith("-- ERROR")).count();
        if (!script.contains("\"flyway_schema_history\"")) {
            lines.add("nothing of the verifier's schema could be read: no database was built; the verifier stays"
                    + " stopped (restore " + database + " from a backup)");
            return new Report(false, aside, lines);
        }
        // built beside the damaged file and moved into place last: the verifier never sees a half-built one
        Path staging = Files.createDirectory(aside.resolve("rebuilt"));
        if (Files.exists(file.journal())) {
            Files.copy(file.journal(), staging.resolve(file.journal().getFileName()));
        }
        String url = "jdbc:h2:file:" + staging.resolve(name) + ";DB_CLOSE_DELAY=0";
        try (Connection c = DriverManager.getConnection(url)) {
            RunScript.execute(c, Files.newBufferedReader(dump, StandardCharsets.UTF_8));
            restartIdentities(c);
        }
        Map<String, Long> before = rowCounts(url);
        // before the journal's replay, so that the counters its verdicts moved reach these rows too
        List<String> lost = revokeLostNodes(url);
        Store.open(url, null, null, 2).close();
        Map<String, Long> after = rowCounts(url);
        lines.add("read by H2's recovery tool: " + describe(before) + (unreadable == 0 ? ""
                : "; " + unreadable + " parts could not be read (see " + dump + ")"));
        lines.add("put back from the journal: " + (after.getOrDefault("VERDICTS", 0L) - before.getOrDefault("VERDICTS", 0L))
                + " verdicts and the counters they moved");
        lines.add("NOT PROVEN CURRENT: H2 cannot tell whether it read the newest state. A counter, revocation,"
                + " retirement, enrollment or policy change written after it is lost; the journal restores verdicts"
                + " and their counters only. Nodes as rebuilt:");
        lines.addAll(nodes(url));
        if (!lost.isEmpty()) {
            lines.add("NODE ROWS LOST: " + String.join(", ", lost) + " held an EK but their node rows could not be"
                    + " read (status and counters unknown): they are revoked in the rebuilt database, so that a"
                    + " revoked one cannot enroll again");
        }
        lines.add("the verifier refuses to start until this is accepted: compare the revocations and retirements with"
                + " your own records (webhook events), then run `trustbit verifier db recover --accept --db " + database
                + "` and revoke again what is missing");
        writeAtomically(file.recoveredMarker(), String.join("\n", lines) + "\n");
        Files.move(staging.resolve(database.getFileName()), database, StandardCopyOption.ATOMIC_MOVE);
        return new Report(true, aside, lines);
    }

    /** Lets the verifier start on a rebuilt database: removes the marker; returns the report it held. */
    public static List<String> accept(Path db) throws IOException, SQLException {
        EmbeddedFile file = fileOf(db);
        if (!Files.exists(file.recoveredMarker())) {
            throw new DatabaseUnreadableException("no rebuilt database waits for review at " + file.database(), null);
        }
        List<String> report = Files.readAllLines(file.recoveredMarker(), StandardCharsets.UTF_8);
        Files.delete(file.recoveredMarker());
        return report;
    }

    private static EmbeddedFile fileOf(Path db) {
        String s = db.toAbsolutePath().normalize().toString();
        return new EmbeddedFile(Path.of(s.endsWith(".mv.db") ? s.substring(0, s.length() - ".mv.db".length()) : s));
    }

    /** H2 locks the file of an open database; a running verifier's file is not to be moved. */
    private static void refuseIfInUse(Path database) throws IOException, SQLException {
        try (FileChannel ch = FileChannel.open(database, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new DatabaseUnreadableException(database + " is in use: stop the verifier first", null);
            }
            lock.release();
        }
    }

    /** Runs H2's recovery tool on the file in {@code dir}; returns the SQL script it wrote there. */
    private static Path dump(Path dir, String name) throws SQLException {
        Recover r = new Recover();
        r.setOut(new PrintStream(OutputStream.nullOutputStream()));
        r.runTool("-dir", dir.toString(), "-db", name);
        return dir.resolve(name + ".h2.sql");
    }

    /** Identity columns continue after the highest value in use (the dump may not carry their position). */
    private static void restartIdentities(Connection c) throws SQLException {
        List<String[]> columns = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT TABLE_NAME, COLUMN_NAME"
                + " FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = 'PUBLIC' AND IS_IDENTITY = 'YES'")) {
            while (rs.next()) {
                columns.add(new String[] {rs.getString(1), rs.getString(2)});
            }
        }
        for (String[] col : columns) {
            String table = "\"" + col[0] + "\"";
            String column = "\"" + col[1] + "\"";
            long max;
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(" + column + "), 0) FROM " + table)) {
                rs.next();
                max = rs.getLong(1);
            }
            try (Statement s = c.createStatement()) {
                s.execute("ALTER TABLE " + table + " ALTER COLUMN " + column + " RESTART WITH " + (max + 1));
            }
        }
    }

    private static Map<String, Long> rowCounts(String url) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection(url)) {
            List<String> tables = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT TABLE_NAME FROM"
                    + " INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = 'PUBLIC' AND TABLE_TYPE = 'BASE TABLE'"
                    + " ORDER BY TABLE_NAME")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String t : tables) {
                try (Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM \"" + t + "\"")) {
                    rs.next();
                    counts.put(t, rs.getLong(1));
                }
            }
        }
        return counts;
    }

    private static String describe(Map<String, Long> counts) {
        List<String> parts = new ArrayList<>();
        counts.forEach((t, n) -> {
            if (!t.equalsIgnoreCase("flyway_schema_history")) {
                parts.add(t.toLowerCase(java.util.Locale.ROOT) + " " + n);
            }
        });
        return String.join(", ", parts);
    }

    private static List<String> nodes(String url) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT node_id, status, reset_count, restart_count FROM nodes"
                        + " ORDER BY node_id")) {
            while (rs.next()) {
                out.add("  node " + rs.getString(1) + ": " + rs.getString(2) + ", resetCount "
                        + rs.getObject(3) + ", restartCount " + rs.getObject(4));
            }
        }
        if (out.isEmpty()) {
            out.add("  (no nodes)");
        }
        return out;
    }

    /**
     * Node ids that hold an EK claim but whose node row could not be read get a revoked row (EK public area
     * unknown): without it such an id would be unknown rather than revoked, and its TPM could enroll again.
     */
    private static List<String> revokeLostNodes(String url) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url)) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT node_id FROM ek_claims"
                    + " WHERE node_id NOT IN (SELECT node_id FROM nodes) ORDER BY node_id")) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            long now = System.currentTimeMillis();
            try (var ps = c.prepareStatement("INSERT INTO nodes (node_id, ek_public, ek_name, status, created_at,"
                    + " updated_at) SELECT node_id, '', ek_name, 'revoked', ?, ? FROM ek_claims WHERE node_id = ?")) {
                for (String id : ids) {
                    ps.setLong(1, now);
                    ps.setLong(2, now);
                    ps.setString(3, id);
                    ps.executeUpdate();
                }
            }
        }
        return ids;
    }

    private static void writeAtomically(Path target, String text) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
