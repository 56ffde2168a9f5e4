package io.trustbit.cli.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.cli.Cli;
import io.trustbit.verifier.internal.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code trustbit verifier serve} on a damaged embedded database, and {@code trustbit verifier db recover}. */
class DbRecoverCliTest {
    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("verifier-db.mv.db");
    }

    private void database() throws Exception {
        Store.open("jdbc:h2:file:" + dir.resolve("verifier-db") + ";DB_CLOSE_DELAY=0", null, null, 2).close();
    }

    private Cli serve() {
        return Cli.run("verifier", "serve", "--data-dir", dir, "--port", "0", "--insecure-http");
    }

    @Test
    void aDamagedFileStopsServeWithOneLineAndRecoveryBuildsNothingFromNothing() throws Exception {
        database();
        byte[] b = Files.readAllBytes(file());
        for (int header : new int[] {0, 4096}) {
            Arrays.fill(b, header + 10, header + 60, (byte) 0);
        }
        Files.write(file(), b);
        Cli s = serve();
        assertEquals(3, s.code(), s.toString());
        assertEquals(1, s.err().strip().lines().count(), s.toString());
        assertTrue(s.err().contains("verifier db recover --db " + file()), s.toString());

        Cli r = Cli.run("verifier", "db", "recover", "--db", file());
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.out().contains("no database was built"), r.toString());
        assertTrue(serve().err().contains("is missing"), "the verifier still refuses to start");
    }

    @Test
    void aRebuiltDatabaseHoldsServeUntilAccepted() throws Exception {
        database();
        Cli r = Cli.run("verifier", "db", "recover", "--db", file());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("NOT PROVEN CURRENT"), r.toString());
        Cli s = serve();
        assertEquals(3, s.code(), s.toString());
        assertTrue(s.err().contains("recover --accept --db " + file()), s.toString());
        Cli a = Cli.run("verifier", "db", "recover", "--accept", "--db", file());
        assertEquals(0, a.code(), a.toString());
        assertTrue(a.out().contains("NOT PROVEN CURRENT"), a.toString());
        assertTrue(Cli.run("verifier", "db", "recover", "--accept", "--db", file()).code() == 2, "nothing left to accept");
    }
}
