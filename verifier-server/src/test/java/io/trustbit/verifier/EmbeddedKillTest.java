package io.trustbit.verifier;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.verifier.internal.Store;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default embedded database survives SIGKILL under load: every answered verdict is in the audit table
 * after each kill, and no nonce issued before a kill is accepted after it (docs/verifier.md "Durability").
 */
class EmbeddedKillTest {
    @TempDir
    Path dir;

    @Test
    void killingTheVerifierUnderLoadLosesNoAnsweredVerdictAndNoNonceOutlivesIt() throws Exception {
        String url = VerifierConfig.builder(dir.resolve("data")).build().effectiveDatabaseUrl();
        // the audit is read as a restarted verifier sees it: Store.open first puts back what the journal holds
        KillUnderLoad.Outcome o = new KillUnderLoad(dir, List.of(), () -> {
            Store.open(url, null, null, 4).close();
            return DriverManager.getConnection(url);
        }, true).run(4, 4, 30);
        assertTrue(o.failures().isEmpty(), o.summary());
        assertTrue(o.answered() >= 4 * 30 && o.replays() >= 3 * 30, o.summary());
    }
}
