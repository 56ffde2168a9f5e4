package io.trustbit.measure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image hashing: the read-ahead thread, block boundaries, failures, and OpenSSL as the cross-check. */
class ImageDigestTest {
    private static final int MIB = 1 << 20;
    @TempDir Path dir;

    private Path file(String name, int size) throws IOException {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return Files.write(dir.resolve(name), b);
    }

    private static List<Thread> readers() {
        List<Thread> found = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("image-reader ")) {
                found.add(t);
            }
        }
        return found;
    }

    @Test
    void everyBlockBoundaryHashesAsOneDigest() throws Exception {
        for (int size : new int[] {0, 1, 4095, 4096, MIB - 1, MIB, MIB + 1, 5 * MIB + 123}) {
            Path f = file("img-" + size, size);
            List<Long> progress = new ArrayList<>();
            ImageDigest d = ImageDigest.of(f, progress::add);
            assertEquals(size, d.length(), "length of " + size);
            assertArrayEquals(HashAlg.SHA256.digest(Files.readAllBytes(f)), d.sha256(), "digest of " + size + " bytes");
            for (int i = 1; i < progress.size(); i++) {
                assertTrue(progress.get(i) > progress.get(i - 1), "progress only grows: " + progress);
            }
            if (size > 0) {
                assertEquals(size, progress.get(progress.size() - 1), "the last progress report is the whole file");
            } else {
                assertEquals(List.of(), progress);
            }
        }
    }

    @Test
    void matchesOpenssl() throws Exception {
        Path f = file("big", 9 * MIB + 7);
        Process p = new ProcessBuilder("openssl", "dgst", "-sha256", "-r", f.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        assertEquals(out.substring(0, 64), HexFormat.of().formatHex(ImageDigest.of(f).sha256()));
    }

    @Test
    void readsAheadOnASecondThreadWhileHashing() throws Exception {
        // Eight blocks, four in flight: when the first is hashed, the reader still waits for an empty block.
        Path f = file("ahead", 8 * MIB);
        List<Integer> seen = new ArrayList<>();
        ImageDigest.of(f, done -> seen.add(readers().size()));
        assertEquals(1, seen.get(0), "a reader thread beside the hashing one: " + seen);
        assertEquals(List.of(), readers(), "the reader thread ends with the call");
    }

    @Test
    void failuresAreReportedAndLeaveNoThread() throws Exception {
        assertThrows(NoSuchFileException.class, () -> ImageDigest.of(dir.resolve("missing")));
        assertThrows(IOException.class, () -> ImageDigest.of(dir), "a directory cannot be read as an image");
        Path f = file("abort", 3 * MIB);
        RuntimeException stop = new RuntimeException("stop");
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> ImageDigest.of(f, done -> {
            throw stop;
        }));
        assertEquals(stop, thrown);
        assertEquals(List.of(), readers(), "no reader thread left after a failure");
    }

    @Test
    void sha256ComesFromTheJdkProviderWithTheCpuIntrinsics() {
        // SUN's SHA-256 is the implementation HotSpot replaces with SHA-NI code; a provider put first (such as
        // Bouncy Castle) would hash in plain Java at a fraction of the speed.
        assertEquals("SUN", HashAlg.SHA256.newDigest().getProvider().getName());
    }
}
