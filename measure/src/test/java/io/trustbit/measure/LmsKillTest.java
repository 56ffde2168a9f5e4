package io.trustbit.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.measure.internal.Lms;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A signer process killed with SIGKILL at random moments, again and again, never releases two
 * signatures with the same leaf, and the key file's next leaf is never behind a released one.
 */
class LmsKillTest {
    @TempDir Path dir;

    @Test
    void signerKilledRepeatedlyNeverReusesALeaf() throws Exception {
        Path file = dir.resolve("release.key");
        LmsSigningKey key = LmsSigningKey.generate(file, Lms.LmsType.H10, Lms.OtsType.W2);
        LmsPublicKey pub = key.publicKey();
        int keys = 1;
        Random rnd = new Random();
        TreeMap<Integer, String> leaves = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        int rounds = Integer.getInteger("lms.kill.rounds", 25);
        int released = 0;
        for (int round = 0; round < rounds; round++) {
            if (key.remaining() < 300) {   // a fresh key before this one could run out during a round
                file = dir.resolve("release" + ++keys + ".key");
                key = LmsSigningKey.generate(file, Lms.LmsType.H10, Lms.OtsType.W2);
                pub = key.publicKey();
                leaves.clear();
            }
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                    LmsSignLoop.class.getName(), file.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
            assertEquals("ready", r.readLine(), "signer round " + round + " did not start");
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(rnd.nextInt(400));
            String line;
            while (System.nanoTime() < deadline && (line = r.readLine()) != null) {
                record(line, pub, leaves, failures, round);
                released++;
            }
            // SIGKILL from outside (Process.destroyForcibly would also close our end of the pipe)
            new ProcessBuilder("kill", "-KILL", Long.toString(p.pid())).start().waitFor();
            p.waitFor();
            if (p.exitValue() != 128 + 9) {
                failures.add("round " + round + ": signer exited with " + p.exitValue() + ", not by SIGKILL");
            }
            while ((line = r.readLine()) != null) {   // released before the kill took effect
                if (line.matches("[0-9]+ [0-9a-f]{" + 2 * key.signatureLength() + "}")) {   // a line cut by the kill is not a release
                    record(line, pub, leaves, failures, round);
                    released++;
                }
            }
            long next = (1L << 10) - key.remaining();
            if (!leaves.isEmpty() && next <= leaves.lastKey()) {
                failures.add("round " + round + ": key file's next leaf " + next + " is not past released leaf "
                        + leaves.lastKey());
            }
        }
        assertEquals(List.of(), failures);
        assertTrue(released >= rounds, "only " + released + " signatures released in " + rounds + " rounds");
        System.out.println("lms kill test: " + rounds + " SIGKILLs, " + released + " signatures with " + keys
                + " key(s), no leaf released twice");
    }

    private static void record(String line, LmsPublicKey pub, TreeMap<Integer, String> leaves, List<String> failures,
            int round) {
        String[] f = line.split(" ");
        byte[] sig = HexFormat.of().parseHex(f[1]);
        byte[] msg = ("message " + f[0]).getBytes(StandardCharsets.US_ASCII);
        int q = Lms.leafOf(sig);
        if (!pub.verify(msg, sig)) {
            failures.add("round " + round + ": released signature of leaf " + q + " does not verify");
        }
        String prev = leaves.put(q, "round " + round + " message " + f[0]);
        if (prev != null) {
            failures.add("leaf " + q + " reused: " + prev + " and round " + round + " message " + f[0]);
        }
    }
}
