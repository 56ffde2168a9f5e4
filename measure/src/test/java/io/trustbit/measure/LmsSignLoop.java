package io.trustbit.measure;

import io.trustbit.measure.internal.Hex;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The signer of {@link LmsKillTest}, run as its own process: signs "message N" with the LMS key file
 * given as argument, forever, and releases each signature by printing {@code N <signature hex>}.
 */
public final class LmsSignLoop {
    private LmsSignLoop() {}

    public static void main(String[] args) throws Exception {
        LmsSigningKey key = LmsSigningKey.open(Path.of(args[0]));
        key.publicKey();  // the tree first, so that kills land while signing
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.US_ASCII);
        out.println("ready");
        out.flush();
        for (long n = 0; ; n++) {
            byte[] sig = key.sign(("message " + n).getBytes(StandardCharsets.US_ASCII));
            out.println(n + " " + Hex.of(sig));
            out.flush();
        }
    }
}
