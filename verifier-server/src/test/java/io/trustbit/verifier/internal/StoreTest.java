package io.trustbit.verifier.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.verifier.PostgresCluster;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Store} on both databases (an H2 file, as the default configuration uses, and a real PostgreSQL
 * cluster): every statement that may meet an existing row says so in SQL, and every other database error
 * reaches the caller.
 */
class StoreTest {
    @TempDir
    static Path dir;
    static PostgresCluster pg;
    static final AtomicInteger DATABASES = new AtomicInteger();

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    /** The JDBC URL of a new, empty database. */
    /** A fresh database of {@code kind} with the migrations up to {@code version} only, as an older verifier left it. */
    static String migratedTo(String kind, String version) throws Exception {
        String url = freshDatabase(kind);
        Flyway.configure().dataSource(url, user(url), null).locations("classpath:io/trustbit/verifier/db").target(version)
                .load().migrate();
        return url;
    }

    /** A direct connection to a test database, past the store. */
    static Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url, user(url), null);
    }

    private static String user(String url) {
        return url.startsWith("jdbc:h2:") ? null : "postgres";
    }

    static String freshDatabase(String kind) throws Exception {
        String name = "store" + DATABASES.incrementAndGet();
        if (kind.equals("h2")) {
            return "jdbc:h2:file:" + dir.resolve(name) + ";DB_CLOSE_DELAY=0";
        }
        if (pg == null) {
            pg = PostgresCluster.start(false);
        }
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), "");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return pg.jdbcUrl().replaceAll("/postgres$", "/" + name);
    }

    static Store open(String url) throws SQLException {
        return Store.open(url, url.startsWith("jdbc:postgresql:") ? "postgres" : null, null, 4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aGroupPolicyIsInsertedThenReplaced(String kind) throws Exception {
        try (Store s = open(freshDatabase(kind))) {
            s.bindNode("n1", "ek", "ek-name", 1);
            s.assignGroup("n1", "g", 2);
            s.setGroupPolicy("g", "p1");
            assertEquals("p1", s.node("n1").orElseThrow().groupPolicyId());
            s.setGroupPolicy("g", "p2");
            assertEquals("p2", s.node("n1").orElseThrow().groupPolicyId());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void anImaStateIsInsertedThenReplacedAndSurvivesReopening(String kind) throws Exception {
        String url = freshDatabase(kind);
        Store.ImaStateRow first = new Store.ImaStateRow(3, 0, 5, 600, "AQID");
        Store.ImaStateRow next = new Store.ImaStateRow(4, 1, 2, 180, "BAUG");
        try (Store s = open(url)) {
            assertEquals(Optional.empty(), s.imaState("n1"));
            s.saveImaState("n1", first, 1);
            assertEquals(Optional.of(first), s.imaState("n1"));
            s.saveImaState("n1", next, 2);
            assertEquals(Optional.of(next), s.imaState("n1"));
            assertEquals(Optional.empty(), s.imaState("n2"));
        }
        try (Store s = open(url)) {
            assertEquals(Optional.of(next), s.imaState("n1"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void databaseErrorsReachTheCaller(String kind) throws Exception {
        try (Store s = open(freshDatabase(kind))) {
            String tooLong = "g".repeat(65);
            SQLException group = assertThrows(SQLException.class, () -> s.setGroupPolicy(tooLong, "p"));
            assertEquals("22001", group.getSQLState(), group.toString());
            SQLException node = assertThrows(SQLException.class, () -> s.bindNode("n1", "ek", "e".repeat(201), 1));
            assertEquals("22001", node.getSQLState(), node.toString());
            assertEquals(Optional.empty(), s.node("n1"));
            SQLException key = assertThrows(SQLException.class, () -> s.addSigningKey("k".repeat(65), "{}", 1));
            assertEquals("22001", key.getSQLState(), key.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aNodeIdKeepsItsFirstEkAndAKidItsKey(String kind) throws Exception {
        try (Store s = open(freshDatabase(kind))) {
            s.bindNode("n1", "ek-1", "name-1", 1);
            assertEquals("name-1", s.bindNode("n1", "ek-2", "name-2", 2).ekName());
            s.addSigningKey("kid-1", "{\"x\":1}", 1);
            s.addSigningKey("kid-1", "{\"x\":1}", 2);
            assertThrows(SQLException.class, () -> s.addSigningKey("kid-1", "{\"x\":2}", 3));
            assertEquals(List.of("{\"x\":1}"), s.signingKeys());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void oneEkIsHeldByOneNodeUntilItIsRetired(String kind) throws Exception {
        try (Store s = open(freshDatabase(kind))) {
            s.bindNode("a", "ek", "ek-name", 1);
            s.bindNode("b", "ek", "ek-name", 1);
            assertEquals(Store.Activation.ACTIVATED, s.activate("a", "ak", "ak-name", 2));
            assertEquals(Optional.of("a"), s.ekHolder("ek-name"));
            assertEquals(Store.Activation.EK_IN_USE, s.activate("b", "ak", "ak-name", 3));
            assertEquals("pending", s.node("b").orElseThrow().status());
            assertEquals(Store.Activation.ACTIVATED, s.activate("a", "ak2", "ak2-name", 4));
            assertEquals(Store.Retirement.RETIRED, s.retire("a", 5));
            assertEquals(Optional.empty(), s.ekHolder("ek-name"));
            assertEquals(Store.Activation.REFUSED, s.activate("a", "ak", "ak-name", 6));
            assertEquals(Store.Activation.ACTIVATED, s.activate("b", "ak", "ak-name", 7));
            assertTrue(s.revoke("b", 8));
            assertEquals(Store.Retirement.REVOKED, s.retire("b", 9));
            assertEquals(Optional.of("b"), s.ekHolder("ek-name"));
            assertEquals(Store.Retirement.NOT_FOUND, s.retire("c", 10));
        }
    }

    /** Two enrollments of one new id at once: the insert that loses does nothing, and both see the winner's row. */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void twoBindsOfOneNewIdAtOnceBothSeeTheSameRow(String kind) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (Store s = open(freshDatabase(kind))) {
            for (int round = 0; round < 20; round++) {
                String id = "race-" + round;
                java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                List<java.util.concurrent.Future<Store.Node>> rows = new java.util.ArrayList<>();
                for (String ek : List.of("ek-a", "ek-b")) {
                    rows.add(pool.submit(() -> {
                        go.await();
                        return s.bindNode(id, ek, ek, 1);
                    }));
                }
                go.countDown();
                assertEquals(rows.get(0).get().ekName(), rows.get(1).get().ekName(), "round " + round);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** V4 on a database where one EK was activated under several ids before the rule existed. */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void theMigrationKeepsOneNodePerEk(String kind) throws Exception {
        String url = migratedTo(kind, "1");
        try (Connection c = connect(url); Statement st = c.createStatement()) {
            String cols = "INSERT INTO nodes (node_id, ek_public, ek_name, status, created_at, updated_at) VALUES ";
            st.execute(cols + "('old', 'e', 'ek1', 'enrolled', 1, 1)");
            st.execute(cols + "('new', 'e', 'ek1', 'enrolled', 2, 2)");
            st.execute(cols + "('pend', 'e', 'ek1', 'pending', 0, 0)");
            st.execute(cols + "('x1', 'e', 'ek2', 'enrolled', 1, 1)");
            st.execute(cols + "('x2', 'e', 'ek2', 'revoked', 5, 5)");
            st.execute(cols + "('solo', 'e', 'ek3', 'enrolled', 9, 9)");
        }
        try (Store s = open(url)) {
            assertEquals(Optional.of("old"), s.ekHolder("ek1"));
            assertEquals(Optional.of("x2"), s.ekHolder("ek2"));
            assertEquals(Optional.of("solo"), s.ekHolder("ek3"));
            assertEquals("enrolled", s.node("old").orElseThrow().status());
            assertEquals("retired", s.node("new").orElseThrow().status());
            assertEquals("pending", s.node("pend").orElseThrow().status());
            assertEquals("retired", s.node("x1").orElseThrow().status());
            assertEquals("revoked", s.node("x2").orElseThrow().status());
            assertEquals("enrolled", s.node("solo").orElseThrow().status());
        }
    }

    private static Store.VerdictRow verdict(String token) {
        return new Store.VerdictRow(0, "n1", "affirming", "[]", null, null, null, token, 10, 20, "r");
    }

    /** What a crash leaves behind: journaled verdicts that never reached H2's file, then half a record. */
    @org.junit.jupiter.api.Test
    void verdictsThatH2LostComeBackFromTheJournalAndATornRecordIsIgnored() throws Exception {
        String url = freshDatabase("h2");
        Path journal = Path.of(url.substring("jdbc:h2:file:".length()).split(";")[0] + ".verdicts.journal");
        try (Store s = open(url)) {
            s.bindNode("n1", "ek", "ek-name", 1);
            assertEquals(1, s.recordVerdict("n1", 5L, 1L, f -> verdict("t1")).id());
        }
        try (VerdictJournal j = VerdictJournal.open(journal)) {
            j.append(new VerdictJournal.Entry(7, "n1", "affirming", "[]", null, null, "aa", "t7", 10, 20, "r", 6L, 0L));
            j.append(new VerdictJournal.Entry(8, "n1", "contraindicated", "[]", null, null, "bb", "t8", 10, 20, "r",
                    null, null));
        }
        java.nio.file.Files.write(journal, new byte[] {0, 0, 1, 0, 9, 9, 9, 9, '{'},
                java.nio.file.StandardOpenOption.APPEND);
        try (Store s = open(url)) {
            assertEquals(List.of("t8", "t7", "t1"), s.verdicts("n1", 10).stream().map(Store.VerdictRow::token).toList());
            assertEquals(6L, s.node("n1").orElseThrow().resetCount());
            assertEquals(9, s.recordVerdict("n1", null, null, f -> verdict("t9")).id());
        }
        try (Store s = open(url)) {
            assertEquals(List.of("t9", "t8", "t7", "t1"), s.verdicts("n1", 10).stream().map(Store.VerdictRow::token)
                    .toList());
        }
    }

    private static void verdict(Store s, String node, String status, long at) throws SQLException {
        s.recordVerdict(node, null, null, f -> new Store.VerdictRow(0, node, status, "[]", "p", null, null, "t", at,
                at + 1000, "r"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void theFleetShowsEachNodesLatestVerdictAndChangesSinceACursor(String kind) throws Exception {
        try (Store s = open(freshDatabase(kind))) {
            for (String id : List.of("a", "b", "c")) {
                s.bindNode(id, "ek", "ek-" + id, 1);
            }
            verdict(s, "a", "affirming", 10);
            verdict(s, "a", "contraindicated", 20);
            verdict(s, "a", Store.FAILED_ATTEMPT, 30);   // never a node's verdict
            verdict(s, "b", "affirming", 10);
            long now = 10_000;
            Store.FleetRead all = s.fleet(null, 100, now);
            assertEquals(List.of("a", "b", "c"), all.rows().stream().map(Store.FleetRow::nodeId).toList());
            assertEquals("contraindicated", all.rows().get(0).verdictStatus());
            assertEquals(20L, all.rows().get(0).issuedAt());
            assertEquals(null, all.rows().get(2).verdictStatus());
            assertEquals(2, s.fleet(null, 2, now).rows().size());

            Store.FleetCursor cursor = all.cursor();
            assertEquals(1, cursor.nodeUpdatedAt(), "the newest node change, older than the window");
            assertEquals(List.of(), s.fleet(cursor, 100, now).rows());
            verdict(s, "c", "affirming", 40);
            s.assignGroup("b", "g", now - 500);
            Store.FleetRead changed = s.fleet(cursor, 100, now);
            assertEquals(List.of("b", "c"), changed.rows().stream().map(Store.FleetRow::nodeId).toList());
            assertEquals("g", changed.rows().get(0).groupName());
            assertTrue(changed.cursor().verdictId() > cursor.verdictId(), changed.cursor().toString());
            // b changed within the window: the next read covers it again, the one after the window does not
            assertEquals(now - Store.FLEET_NODE_WINDOW_MILLIS, changed.cursor().nodeUpdatedAt());
            assertEquals(List.of("b"), s.fleet(changed.cursor(), 100, now).rows().stream().map(Store.FleetRow::nodeId).toList());
            Store.FleetCursor later = s.fleet(changed.cursor(), 100, now + 5_000).cursor();
            assertEquals(List.of(), s.fleet(later, 100, now + 5_000).rows());
        }
    }

    private static Store.VerdictRow verdict(String node, long at) {
        return new Store.VerdictRow(0, node, "affirming", "[]", "p", null, null, "t", at, at + 1000, "r");
    }

    /** The chain is written with the verdict when it differs from the stored one; recorded_at is since when. */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aVerdictWritesItsLaunchChainOnlyWhenItChanges(String kind) throws Exception {
        try (Store s = open(freshDatabase(kind))) {
            s.bindNode("a", "ek", "ek-a", 1);
            assertEquals(Optional.empty(), s.launchChain("a"));
            s.recordVerdict("a", 1L, 0L, "{\"vmm\":\"1\"}", f -> verdict("a", 5));
            s.recordVerdict("a", 1L, 0L, "{\"vmm\":\"1\"}", f -> verdict("a", 6));
            assertEquals(new Store.LaunchChainRow("{\"vmm\":\"1\"}", 5), s.launchChain("a").orElseThrow());
            s.recordVerdict("a", 2L, 0L, null, f -> verdict("a", 7));   // no verified DRTM log: the chain stays
            s.recordVerdict("a", 2L, 0L, "{\"vmm\":\"2\"}", f -> verdict("a", 8));
            assertEquals(new Store.LaunchChainRow("{\"vmm\":\"2\"}", 8), s.launchChain("a").orElseThrow());
            assertEquals(java.util.Map.of("a", "{\"vmm\":\"2\"}"), s.launchChains());
            assertEquals(4, s.verdicts("a", 10).size());
            assertEquals(2L, s.node("a").orElseThrow().resetCount());
        }
    }

    /** A chain that cannot be written fails the verdict: nothing of it is stored. */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aLaunchChainThatCannotBeWrittenFailsItsVerdict(String kind) throws Exception {
        String url = freshDatabase(kind);
        try (Store s = open(url)) {
            s.bindNode("a", "ek", "ek-a", 1);
            s.recordVerdict("a", 1L, 0L, null, f -> verdict("a", 5));
            try (Connection c = connect(url); Statement st = c.createStatement()) {
                st.execute("DROP TABLE launch_chains");
            }
            assertThrows(SQLException.class, () -> s.recordVerdict("a", 2L, 0L, "{}", f -> verdict("a", 6)));
            assertEquals(1, s.verdicts("a", 10).size());
            assertEquals(1L, s.node("a").orElseThrow().resetCount());
        }
    }

    /** V9 on a database with both tables of a node's last launch: the chains stay, node_guests goes. */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void theMigrationKeepsTheLaunchChainsAndDropsNodeGuests(String kind) throws Exception {
        String url = migratedTo(kind, "8");
        String chain = "{\"guests\":[{\"name\":\"g\",\"decision\":\"launched\",\"signerKeyId\":\"00\","
                + "\"securityVersion\":3,\"linux\":false}]}";
        try (Connection c = connect(url); Statement st = c.createStatement()) {
            st.execute("INSERT INTO nodes (node_id, ek_public, ek_name, status, created_at, updated_at)"
                    + " VALUES ('a', 'e', 'ek1', 'enrolled', 1, 1)");
            st.execute("INSERT INTO launch_chains (node_id, chain, recorded_at) VALUES ('a', '" + chain + "', 7)");
            st.execute("INSERT INTO node_guests (node_id, guests, updated_at) VALUES ('a', 'g 00 3 0\n', 7)");
        }
        try (Store s = open(url)) {
            assertEquals(new Store.LaunchChainRow(chain, 7), s.launchChain("a").orElseThrow());
        }
        try (Connection c = connect(url); Statement st = c.createStatement()) {
            assertThrows(SQLException.class, () -> st.executeQuery("SELECT COUNT(*) FROM node_guests"));
        }
    }
}
