package io.trustbit.verifier.internal;

import io.trustbit.verifier.DatabaseUnreadableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * The files of an embedded H2 database ({@code jdbc:h2:file:BASE}): {@code BASE.mv.db}, its verdict journal
 * {@code BASE.verdicts.journal} and, after {@link EmbeddedRecovery}, the marker {@code BASE.recovered}. Checks
 * made while the store opens so that a damaged file never turns into a fresh database silently: the journal is
 * created once the schema exists, so a journal without a database file, or beside a database without a schema,
 * means the database was lost, and the store refuses to open.
 */
final class EmbeddedFile {
    /** H2's error code for a corrupted file. */
    private static final int FILE_CORRUPTED = 90030;

    final Path base;

    EmbeddedFile(Path base) {
        this.base = base;
    }

    /** The file database of a {@code jdbc:h2:file:} URL, or null for any other URL. */
    static EmbeddedFile of(String jdbcUrl) {
        if (!jdbcUrl.startsWith("jdbc:h2:file:")) {
            return null;
        }
        return new EmbeddedFile(Path.of(jdbcUrl.substring("jdbc:h2:file:".length()).split(";", 2)[0]));
    }

    Path database() {
        return sibling(".mv.db");
    }

    Path journal() {
        return sibling(".verdicts.journal");
    }

    Path recoveredMarker() {
        return sibling(".recovered");
    }

    private Path sibling(String suffix) {
        return base.resolveSibling(base.getFileName() + suffix);
    }

    private String recoverCommand(String option) {
        return "`trustbit verifier db recover" + option + " --db " + database() + "`";
    }

    /** Before H2 opens the file: refuses a database that recovery rebuilt and a database whose file is gone. */
    void checkBeforeOpen() throws DatabaseUnreadableException {
        if (Files.exists(recoveredMarker())) {
            throw new DatabaseUnreadableException("embedded database " + database() + " was rebuilt by recovery and"
                    + " is not proven current (see " + recoveredMarker() + "); review it, then run "
                    + recoverCommand(" --accept"), null);
        }
        if (!Files.exists(database()) && Files.exists(journal())) {
            throw new DatabaseUnreadableException("embedded database " + database() + " is missing although its"
                    + " journal " + journal() + " exists; restore the file, or run " + recoverCommand(""), null);
        }
    }

    /** After H2 opened the file, before migrations: refuses a used database that H2 opened empty. */
    void checkNotEmptied(DataSource ds) throws SQLException {
        if (!Files.exists(journal())) {
            return;
        }
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES"
                        + " WHERE LOWER(TABLE_NAME) = 'flyway_schema_history'")) {
            rs.next();
            if (rs.getInt(1) == 0) {
                throw new DatabaseUnreadableException("embedded database " + database() + " opened without its"
                        + " schema although its journal " + journal() + " exists (the file is damaged); run "
                        + recoverCommand(""), null);
            }
        }
    }

    /**
     * The failure to report when opening or migrating the file failed: one line naming the file and the recovery
     * command if H2 found the file corrupted, else {@code failure} itself (e.g. the file is in use).
     */
    Exception classify(Exception failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof DatabaseUnreadableException) {
                return failure;
            }
            boolean corrupted = t instanceof SQLException sql && sql.getErrorCode() == FILE_CORRUPTED
                    || t.getClass().getName().equals("org.h2.mvstore.MVStoreException");
            if (corrupted) {
                String reason = String.valueOf(t.getMessage()).lines().findFirst().orElse("");
                if (reason.length() > 200) {
                    reason = reason.substring(0, 200) + "...";
                }
                return new DatabaseUnreadableException("embedded database " + database() + " cannot be read ("
                        + reason + "); the verifier does not start on a fresh one: run " + recoverCommand(""), failure);
            }
        }
        return failure;
    }
}
