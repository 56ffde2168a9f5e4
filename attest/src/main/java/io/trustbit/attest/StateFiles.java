package io.trustbit.attest;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The agent's state directory. The AK is kept as three files — {@code ak.pub} (TPMT_PUBLIC),
 * {@code ak.priv} (TPM2B_PRIVATE contents, wrapped by the EK: useless without this TPM) and
 * {@code ak.ek} (the EK type it was created under) — each written to a temporary file, fsynced and
 * renamed atomically; {@code ak.pub} is written last so a crash never leaves half an AK.
 */
final class StateFiles {
    static final String AK_PUBLIC = "ak.pub";
    static final String AK_PRIVATE = "ak.priv";
    static final String AK_EK = "ak.ek";
    static final String ENROLLED = "enrolled";
    private static final int MAX_FILE = 8192;

    private final Path dir;

    StateFiles(Path dir) {
        this.dir = dir;
    }

    record SavedAk(EkType ekType, byte[] publicArea, byte[] privateBlob) {
    }

    Optional<SavedAk> readAk() throws AttestException {
        Path pub = dir.resolve(AK_PUBLIC);
        if (!Files.exists(pub)) {
            return Optional.empty();
        }
        try {
            EkType ek = EkType.fromLabel(new String(read(dir.resolve(AK_EK)), StandardCharsets.US_ASCII).strip());
            return Optional.of(new SavedAk(ek, read(pub), read(dir.resolve(AK_PRIVATE))));
        } catch (IOException | IllegalArgumentException e) {
            throw new AttestException("state directory " + dir + " holds a damaged AK: " + e.getMessage(), e);
        }
    }

    void writeAk(SavedAk ak) throws AttestException {
        try {
            Files.createDirectories(dir);
            writeAtomically(dir.resolve(AK_EK), (ak.ekType().label() + "\n").getBytes(StandardCharsets.US_ASCII));
            writeAtomically(dir.resolve(AK_PRIVATE), ak.privateBlob());
            writeAtomically(dir.resolve(AK_PUBLIC), ak.publicArea());
        } catch (IOException e) {
            throw new AttestException("cannot save the AK in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static byte[] read(Path p) throws IOException {
        if (Files.size(p) > MAX_FILE) {
            throw new IOException(p + " is larger than " + MAX_FILE + " bytes");
        }
        return Files.readAllBytes(p);
    }

    /** Writes via a temporary file in the same directory, fsync, then an atomic rename. */
    static void writeAtomically(Path target, byte[] data) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(data));
            ch.force(true);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
