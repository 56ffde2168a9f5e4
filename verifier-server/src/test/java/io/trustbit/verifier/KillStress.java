package io.trustbit.verifier;

import io.trustbit.verifier.internal.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Crash survival of the embedded database, measured (docs/benchmarks.md "Crash survival of the embedded
 * database"): SIGKILLs a verifier JVM under attestation load again and again ({@link KillUnderLoad}) and counts
 * the kills after which the database file could not be opened. After each kill the file is opened as a
 * restarted verifier opens it (journal replay, then close) and then opened a second time, because the failure
 * seen so far came at the second open. An unreadable file is copied aside into OUT-DIR and a new database is
 * started; so is one after {@code killsPerDatabase} kills.
 *
 * <p>Run: {@code java -cp TEST-CLASSPATH io.trustbit.verifier.KillStress OUT-DIR KILLS [KILLS-PER-DATABASE]}.
 * Which H2 jar is on the class path decides the version measured (it is printed).
 */
public final class KillStress {
    private KillStress() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        int kills = Integer.parseInt(args[1]);
        int perDatabase = args.length > 2 ? Integer.parseInt(args[2]) : 25;
        Files.createDirectories(out);
        String version = org.h2.engine.Constants.FULL_VERSION;
        AtomicInteger done = new AtomicInteger();
        int unreadable = 0;
        int databases = 0;
        long started = System.nanoTime();
        while (done.get() < kills) {
            Path dir = Files.createTempDirectory(out, "db" + databases + "-");
            databases++;
            String url = VerifierConfig.builder(dir.resolve("data")).build().effectiveDatabaseUrl();
            Path file = dir.resolve("data/verifier-db.mv.db");
            int rounds = Math.min(perDatabase, kills - done.get());
            try {
                KillUnderLoad.Outcome o = new KillUnderLoad(dir, List.of(), () -> {
                    done.incrementAndGet();
                    try {
                        Store.open(url, null, null, 4).close();
                        Connection c = DriverManager.getConnection(url);
                        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM verdicts")) {
                            rs.next();
                        }
                        return c;
                    } catch (SQLException | RuntimeException e) {
                        throw new Unreadable(e);
                    }
                }, true).run(rounds, 4, 30);
                if (!o.failures().isEmpty()) {
                    System.out.println("FAILURES " + o.summary());
                }
                deleteTree(dir);
            } catch (Unreadable e) {
                unreadable++;
                Path kept = out.resolve("unreadable-" + unreadable + ".mv.db");
                Files.copy(file, kept, StandardCopyOption.REPLACE_EXISTING);
                System.out.println("UNREADABLE after kill " + done.get() + " (H2 " + version + "): " + kept + ": "
                        + firstLine(e.getCause()));
            } catch (Exception e) {
                // the load did not come up (a loaded machine times out), not a database failure: a new database
                System.out.println("ABANDONED database " + databases + " after kill " + done.get() + ": " + firstLine(e));
            }
            System.out.printf("PROGRESS h2=%s kills=%d unreadable=%d databases=%d seconds=%d%n", version, done.get(),
                    unreadable, databases, (System.nanoTime() - started) / 1_000_000_000L);
        }
        System.out.printf("RESULT h2=%s kills=%d unreadable=%d databases=%d seconds=%d%n", version, done.get(),
                unreadable, databases, (System.nanoTime() - started) / 1_000_000_000L);
    }

    private static String firstLine(Throwable t) {
        String m = String.valueOf(t.getMessage());
        return t.getClass().getSimpleName() + ": " + m.lines().findFirst().orElse("");
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** The database could not be opened after a kill. */
    private static final class Unreadable extends SQLException {
        Unreadable(Exception cause) {
            super(cause);
        }
    }
}
