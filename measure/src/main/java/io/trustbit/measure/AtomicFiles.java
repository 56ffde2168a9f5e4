package io.trustbit.measure;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes files atomically and durably: a temporary file in the same directory, synced, renamed over
 * the target, then the directory synced so that the rename itself survives a crash.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes {@code data} to {@code target} with mode 0644. */
    public static void write(Path target, byte[] data) throws IOException {
        write(target, data, "rw-r--r--");
    }

    /** Writes secret {@code data} to {@code target}; the file is 0600 from its creation on. */
    public static void writeSecret(Path target, byte[] data) throws IOException {
        write(target, data, "rw-------");
    }

    private static void write(Path target, byte[] data, String mode) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
        try {
            try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.WRITE))) {
                ByteBuffer b = ByteBuffer.wrap(data);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
