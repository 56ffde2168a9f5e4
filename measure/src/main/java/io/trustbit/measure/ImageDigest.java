package io.trustbit.measure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.function.LongConsumer;

/**
 * The length and SHA-256 of an image file, read in 1 MiB blocks (the JDK's SHA-256 uses the CPU's SHA
 * extensions where present).
 *
 * @param length bytes read
 * @param sha256 digest of those bytes
 */
public record ImageDigest(long length, byte[] sha256) {
    private static final int BLOCK = 1 << 20;

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
        MessageDigest md = HashAlg.SHA256.newDigest();
        byte[] buf = new byte[BLOCK];
        long total = 0;
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
                md.update(buf, 0, n);
                total += n;
                progress.accept(total);
            }
        }
        return new ImageDigest(total, md.digest());
    }

    public static ImageDigest of(byte[] image) {
        return new ImageDigest(image.length, HashAlg.SHA256.digest(image));
    }
}
