package io.trustbit.measure;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.LongConsumer;

/**
 * The length and SHA-256 of an image file. The JDK's SHA-256 (provider SUN) runs on the CPU's SHA extensions
 * where present, and then hashes faster than the kernel copies the file: a second thread reads the next blocks
 * while the caller's thread hashes, so the two overlap on a two-core machine (docs/benchmarks.md, "measure").
 *
 * @param length bytes read
 * @param sha256 digest of those bytes
 */
public record ImageDigest(long length, byte[] sha256) {
    private static final int BLOCK = 1 << 20;
    private static final int BLOCKS_IN_FLIGHT = 4;

    public ImageDigest {
        sha256 = sha256.clone();
    }

    @Override
    public byte[] sha256() {
        return sha256.clone();
    }

    public static ImageDigest of(Path file) throws IOException {
        return of(file, done -> { });
    }

    /** Hashes {@code file}, reporting the bytes done so far after each block. */
    public static ImageDigest of(Path file, LongConsumer progress) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            int block = (int) Math.min(BLOCK, Math.max(4096, ch.size() + 1));
            BlockingQueue<byte[]> empty = new ArrayBlockingQueue<>(BLOCKS_IN_FLIGHT);
            BlockingQueue<Filled> filled = new ArrayBlockingQueue<>(BLOCKS_IN_FLIGHT);
            for (int i = 0; i < BLOCKS_IN_FLIGHT; i++) {
                empty.add(new byte[block]);
            }
            Thread reader = new Thread(() -> readAll(ch, empty, filled), "image-reader " + file.getFileName());
            reader.setDaemon(true);
            reader.start();
            try {
                return hashAll(filled, empty, progress);
            } finally {
                reader.interrupt();
                joinUninterruptibly(reader);
            }
        }
    }

    public static ImageDigest of(byte[] image) {
        return new ImageDigest(image.length, HashAlg.SHA256.digest(image));
    }

    /** A block from the reader: {@code length} bytes of {@code data}, length 0 at the end, or the read's failure. */
    private record Filled(byte[] data, int length, IOException error) {}

    private static ImageDigest hashAll(BlockingQueue<Filled> filled, BlockingQueue<byte[]> empty, LongConsumer progress)
            throws IOException {
        MessageDigest md = HashAlg.SHA256.newDigest();
        long total = 0;
        try {
            for (Filled f = filled.take(); ; f = filled.take()) {
                if (f.error() != null) {
                    throw f.error();
                }
                if (f.length() == 0) {
                    return new ImageDigest(total, md.digest());
                }
                md.update(f.data(), 0, f.length());
                total += f.length();
                progress.accept(total);
                empty.put(f.data());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while hashing the image");
        }
    }

    /** The reader thread: fills empty blocks to the end of the file; stops when interrupted. */
    private static void readAll(FileChannel ch, BlockingQueue<byte[]> empty, BlockingQueue<Filled> filled) {
        try {
            while (true) {
                byte[] data = empty.take();
                Filled f;
                try {
                    ByteBuffer buf = ByteBuffer.wrap(data);
                    while (buf.hasRemaining() && ch.read(buf) >= 0) {
                        // a short read is not the end: read on until the block is full or the file ends
                    }
                    f = new Filled(data, buf.position(), null);
                } catch (IOException e) {
                    f = new Filled(data, 0, e);
                }
                filled.put(f);
                if (f.length() == 0) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            // the hashing side is done or failed: nothing more to read
        }
    }

    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
