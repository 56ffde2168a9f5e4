package io.trustbit.attest.internal.transport;

import io.trustbit.attest.TpmTransport;
import io.trustbit.attest.tpm2.Tpm2FormatException;
import io.trustbit.attest.tpm2.TpmResponse;
import java.io.DataInputStream;
import java.io.IOException;

/**
 * Reads one TPM response off a stream and checks a response's framing; the header itself is decoded by
 * {@link TpmResponse#header} (Part 1 §18.8: tag UINT16 ‖ responseSize UINT32 ‖ responseCode UINT32 ‖ …).
 */
final class Responses {
    private Responses() {
    }

    static byte[] read(DataInputStream in, String source) throws IOException {
        byte[] header = new byte[TpmResponse.HEADER];
        in.readFully(header);
        long size = header(header, source).size();
        if (size < TpmResponse.HEADER || size > TpmTransport.MAX_RESPONSE) {
            throw new IOException(source + ": response size " + size + " out of range");
        }
        byte[] resp = new byte[(int) size];
        System.arraycopy(header, 0, resp, 0, TpmResponse.HEADER);
        in.readFully(resp, TpmResponse.HEADER, resp.length - TpmResponse.HEADER);
        return resp;
    }

    static void check(byte[] resp, String source) throws IOException {
        if (header(resp, source).size() != resp.length) {
            throw new IOException(source + ": response of " + resp.length + " bytes has an inconsistent size field");
        }
    }

    private static TpmResponse.Header header(byte[] resp, String source) throws IOException {
        try {
            return TpmResponse.header(resp);
        } catch (Tpm2FormatException e) {
            throw new IOException(source + ": response of " + resp.length + " bytes is shorter than its header", e);
        }
    }
}
