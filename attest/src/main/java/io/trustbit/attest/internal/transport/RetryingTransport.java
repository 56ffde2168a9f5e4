package io.trustbit.attest.internal.transport;

import io.trustbit.attest.TpmTransport;
import io.trustbit.attest.tpm2.Tpm2FormatException;
import io.trustbit.attest.tpm2.TpmResponse;
import java.io.IOException;
import java.io.InterruptedIOException;

/**
 * Resends a command the TPM did not execute because it was busy: TPM_RC_RETRY (0x922), TPM_RC_YIELDED
 * (0x908) and TPM_RC_TESTING (0x90A) (Part 2 §6.6.3, warnings). Backoff doubles from 10 ms up to 1 s,
 * about 10 s in all, then the last response is returned for the caller to report.
 */
public final class RetryingTransport implements TpmTransport {
    static final int RC_YIELDED = 0x908;
    static final int RC_TESTING = 0x90A;
    static final int RC_RETRY = 0x922;
    private static final long MAX_TOTAL_MS = 10_000;

    private final TpmTransport inner;

    public RetryingTransport(TpmTransport inner) {
        this.inner = inner;
    }

    /** The wrapped transport (e.g. to reach the proxy's event-log frame). */
    public TpmTransport inner() {
        return inner;
    }

    static boolean isTransient(byte[] resp) {
        int rc;
        try {
            rc = TpmResponse.header(resp).responseCode();
        } catch (Tpm2FormatException e) {
            return false; // not a response at all: passed on for the caller's parser to report
        }
        return rc == RC_RETRY || rc == RC_YIELDED || rc == RC_TESTING;
    }

    @Override
    public byte[] transmit(byte[] command) throws IOException {
        long delay = 10;
        long waited = 0;
        while (true) {
            byte[] resp = inner.transmit(command);
            if (!isTransient(resp) || waited >= MAX_TOTAL_MS) {
                return resp;
            }
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while the TPM was busy");
            }
            waited += delay;
            delay = Math.min(delay * 2, 1000);
        }
    }

    @Override
    public String describe() {
        return inner.describe();
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
