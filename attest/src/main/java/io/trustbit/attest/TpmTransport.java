package io.trustbit.attest;

import java.io.Closeable;
import java.io.IOException;

/**
 * A way to send one TPM 2.0 command and receive its response (TPM 2.0 Library Part 1 §18: a command
 * and a response each start with a 10-byte header holding their total size). One command is in
 * flight at a time. Implementations: Linux resource manager, swtpm socket, tpm-proxy framing
 * ({@link TpmTransports#open(String)}).
 */
public interface TpmTransport extends Closeable {
    /** Largest response accepted from any transport (the TPM's MAX_RESPONSE_SIZE is 4096 on PC TPMs). */
    int MAX_RESPONSE = 65536;

    /** Sends a complete command and returns the complete response. */
    byte[] transmit(byte[] command) throws IOException;

    /** A short description for messages, e.g. {@code swtpm:127.0.0.1:2321}. */
    String describe();

    @Override
    void close() throws IOException;
}
