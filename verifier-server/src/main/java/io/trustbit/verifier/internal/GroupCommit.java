package io.trustbit.verifier.internal;

import java.sql.SQLException;

/**
 * Group commit: many callers share one flush. A caller whose change is written (committed to memory, appended
 * to a file) calls {@link #awaitDurable()}: it joins the open batch and waits. One writer thread takes the open
 * batch as soon as it has a member (no gathering delay), opens the next one, runs the flush (an fsync, or H2's
 * {@code CHECKPOINT SYNC}) and releases every member of the batch. Callers that arrive while a flush runs form
 * the next batch. Because a member joins only after its write returned, and the writer takes the batch before
 * the flush starts, the flush always covers the member's write. A failed flush fails every member of its batch
 * (fail closed: the caller answers with an error); the next batch tries again.
 */
final class GroupCommit implements AutoCloseable {
    private static final class Batch {
        int members;
        boolean done;
        SQLException error;
    }

    /** What makes everything written so far durable. */
    @FunctionalInterface
    interface Flush {
        void run() throws Exception;
    }

    private final Flush flush;
    private final Thread writer;
    private Batch open = new Batch();
    private boolean closed;

    GroupCommit(String name, Flush flush) {
        this.flush = flush;
        this.writer = new Thread(this::run, name);
        writer.setDaemon(true);
        writer.start();
    }

    /** Blocks until everything the calling thread committed before this call is on disk. */
    void awaitDurable() throws SQLException {
        Batch mine;
        synchronized (this) {
            if (closed) {
                throw new SQLException("closing: write not made durable");
            }
            mine = open;
            mine.members++;
            notifyAll();
            boolean interrupted = false;
            while (!mine.done) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (mine.error != null) {
            throw new SQLException("write not made durable: " + mine.error.getMessage(), mine.error.getSQLState(),
                    mine.error);
        }
    }

    private void run() {
        while (true) {
            Batch batch;
            synchronized (this) {
                while (open.members == 0 && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        closed = true;
                    }
                }
                if (open.members == 0) {
                    return;
                }
                batch = open;
                open = new Batch();
            }
            SQLException error = null;
            try {
                flush.run();
            } catch (SQLException e) {
                error = e;
            } catch (Exception e) {
                error = new SQLException(e.toString(), e);
            }
            synchronized (this) {
                batch.error = error;
                batch.done = true;
                notifyAll();
            }
        }
    }

    /** Lets the writer finish the batch already waiting, then ends it. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        try {
            writer.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
