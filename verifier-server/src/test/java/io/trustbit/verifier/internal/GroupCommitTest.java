package io.trustbit.verifier.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GroupCommitTest {
    @Test
    void waitersShareFlushesAndEachIsReleasedOnlyByAFlushThatStartedAfterItJoined() throws Exception {
        AtomicInteger flushes = new AtomicInteger();
        AtomicInteger written = new AtomicInteger();
        AtomicInteger durableUpTo = new AtomicInteger();
        try (GroupCommit gc = new GroupCommit("test-sync", () -> {
            int covers = written.get();
            flushes.incrementAndGet();
            Thread.sleep(5);
            durableUpTo.set(covers);
        })) {
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                List<Future<Boolean>> results = new ArrayList<>();
                for (int i = 0; i < 400; i++) {
                    results.add(pool.submit(() -> {
                        int mine = written.incrementAndGet();
                        gc.awaitDurable();
                        return durableUpTo.get() >= mine;
                    }));
                }
                for (Future<Boolean> r : results) {
                    assertTrue(r.get(30, TimeUnit.SECONDS), "released before a flush covered its write");
                }
            } finally {
                pool.shutdownNow();
            }
        }
        assertTrue(flushes.get() < 400, flushes.get() + " flushes for 400 writes: nothing was shared");
    }

    @Test
    void aFailedFlushFailsItsWaitersAndTheNextFlushTriesAgain() throws Exception {
        AtomicBoolean fail = new AtomicBoolean(true);
        try (GroupCommit gc = new GroupCommit("test-sync", () -> {
            if (fail.get()) {
                throw new java.io.IOException("disk gone");
            }
        })) {
            SQLException e = assertThrows(SQLException.class, gc::awaitDurable);
            assertTrue(e.getMessage().contains("disk gone"), e.getMessage());
            fail.set(false);
            gc.awaitDurable();
        }
    }

    @Test
    void afterCloseNothingIsReportedDurable() throws Exception {
        GroupCommit gc = new GroupCommit("test-sync", () -> { });
        gc.close();
        assertEquals("closing: write not made durable", assertThrows(SQLException.class, gc::awaitDurable).getMessage());
    }
}
