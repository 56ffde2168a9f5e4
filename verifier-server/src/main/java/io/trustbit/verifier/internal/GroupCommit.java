package io.trustbit.verifier.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Group commit for the embedded H2 database, whose own commits only reach memory (the MVStore writes to its
 * file in the background). A caller that has committed a transaction calls {@link #awaitDurable()}: it joins
 * the open batch and waits. One writer thread takes the open batch as soon as it has a member (no gathering
 * delay), opens the next one, and makes the file durable with {@code CHECKPOINT SYNC} (H2 2.x: MVStore commit,
 * i.e. one chunk write of everything committed so far, then {@code FileChannel.force}); then every member of the
 * batch is released. Callers that commit while a flush runs form the next batch, so concurrent commits share one
 * chunk write and one fsync. Because a member joins only after its commit returned, and the writer takes the
 * batch before the flush starts, the flush always covers the member's commit. A failed flush fails every
 * member of its batch (fail closed: the caller answers with an error, not with a verdict); the next batch
 * tries again.
 */
final class GroupCommit implements AutoCloseable {
    private static final class Batch {
        int members;
        boolean done;
        SQLException error;
    }

    private final Connection connection;
    private final Thread writer;
    private final AtomicLong flushes = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();
    private Batch open = new Batch();
    private boolean closed;

    /** Takes ownership of {@code connection} (a connection of its own: the writer holds it for its lifetime). */
    GroupCommit(Connection connection) {
        this.connection = connection;
        this.writer = new Thread(this::run, "verifier-group-commit");
        writer.setDaemon(true);
        writer.start();
    }

    /** Blocks until everything the calling thread committed before this call is on disk. */
    void awaitDurable() throws SQLException {
        Batch mine;
        synchronized (this) {
            if (closed) {
                throw new SQLException("database is closing: commit not made durable");
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
            throw new SQLException("commit not made durable: " + mine.error.getMessage(), mine.error.getSQLState(),
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
            try (Statement s = connection.createStatement()) {
                s.execute("CHECKPOINT SYNC");
            } catch (SQLException e) {
                error = e;
            }
            flushes.incrementAndGet();
            commits.addAndGet(batch.members);
            synchronized (this) {
                batch.error = error;
                batch.done = true;
                notifyAll();
            }
        }
    }

    /** Flushes so far (each one chunk write and one fsync). */
    long flushes() {
        return flushes.get();
    }

    /** Commits made durable so far (with {@link #flushes()}: the average batch size). */
    long commits() {
        return commits.get();
    }

    /** Lets the writer finish the batches already waiting, then closes its connection. */
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
        try {
            connection.close();
        } catch (SQLException e) {
            // the database closes with its last connection either way
        }
    }
}
