package io.trustbit.verifier.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Redo journal of the verdicts on the embedded H2 database. H2 commits to memory and writes its file in the
 * background; writing its file for every group of verdicts costs a chunk write each time, and H2's threads
 * spent several times the CPU doing so (docs/benchmarks.md "Durable embedded database"). So a verdict, once committed in H2, is also appended here, and the answer waits for a
 * group fsync of this file only ({@link GroupCommit}): one {@code fdatasync} for all verdicts that arrive
 * while the previous one runs. On opening, the store inserts every journaled verdict that H2 lost (and moves
 * its node's counters forward), makes H2's file durable and empties the journal; while running, the journal is
 * emptied the same way once it exceeds {@link #LIMIT}.
 *
 * <p>File format: records of {@code u32 length ‖ u32 CRC-32 of the payload ‖ payload} (big-endian), the
 * payload a JSON {@link Entry}. Reading stops at the first record that is incomplete or fails its CRC: a
 * crash can leave only a record whose fsync had not finished, i.e. one whose verdict was never answered,
 * and every record after it was not synced either.
 */
final class VerdictJournal implements AutoCloseable {
    /** One verdict as stored, and the counters its transaction moved forward (null if it moved none). */
    record Entry(long id, String nodeId, String status, String reasons, String policyId, String policyDigest,
            String nonce, String token, long issuedAt, long expiresAt, String replica, Long resetCount,
            Long restartCount) {}

    /** The journal is emptied (after H2's file is made durable) when it grows beyond this. */
    static final long LIMIT = 16L << 20;
    private static final int MAX_RECORD = 1 << 20;

    private final FileChannel channel;
    private final GroupCommit sync;
    private long size;

    private VerdictJournal(FileChannel channel) throws IOException {
        this.channel = channel;
        this.size = channel.size();
        this.sync = new GroupCommit("verifier-journal-sync", () -> channel.force(false));
    }

    static VerdictJournal open(Path file) throws IOException {
        return new VerdictJournal(FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE));
    }

    /** The complete records from the start of the file. */
    synchronized List<Entry> read() throws IOException {
        List<Entry> out = new ArrayList<>();
        long pos = 0;
        long end = channel.size();
        ByteBuffer head = ByteBuffer.allocate(8);
        while (end - pos >= 8) {
            head.clear();
            channel.read(head, pos);
            head.flip();
            int length = head.getInt();
            long crc = head.getInt() & 0xFFFFFFFFL;
            if (length <= 0 || length > MAX_RECORD || end - pos - 8 < length) {
                break;
            }
            ByteBuffer payload = ByteBuffer.allocate(length);
            while (payload.hasRemaining() && channel.read(payload, pos + 8 + payload.position()) > 0) {
                // read until full
            }
            CRC32 c = new CRC32();
            c.update(payload.array());
            if (payload.hasRemaining() || c.getValue() != crc) {
                break;
            }
            out.add(Json.MAPPER.readValue(payload.array(), Entry.class));
            pos += 8 + length;
        }
        return out;
    }

    /** Appends one record (not yet durable: see {@link #awaitDurable()}); returns the journal's new size. */
    long append(Entry e) throws SQLException {
        byte[] payload;
        try {
            payload = Json.MAPPER.writeValueAsBytes(e);
        } catch (JsonProcessingException x) {
            throw new SQLException("verdict journal: " + x.getMessage(), x);
        }
        CRC32 c = new CRC32();
        c.update(payload);
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.putInt(payload.length).putInt((int) c.getValue()).put(payload).flip();
        synchronized (this) {
            try {
                while (b.hasRemaining()) {
                    size += channel.write(b, size);
                }
            } catch (IOException x) {
                throw new SQLException("verdict journal: " + x.getMessage(), x);
            }
            return size;
        }
    }

    /** Returns once every record appended before the call is on disk (one fsync shared by all waiting callers). */
    void awaitDurable() throws SQLException {
        sync.awaitDurable();
    }

    /**
     * Empties the journal after {@code durable} (which makes H2's file durable) returned; appends wait meanwhile.
     * Every journaled verdict was committed in H2 before it was appended, so before this call: the flush covers
     * it.
     */
    synchronized void reset(GroupCommit.Flush durable) throws SQLException {
        try {
            durable.run();
            channel.truncate(0);
            channel.force(true);
            size = 0;
        } catch (SQLException e) {
            throw e;
        } catch (Exception e) {
            throw new SQLException("verdict journal: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        sync.close();
        channel.close();
    }
}
