package io.trustbit.attest.internal.transport;

import io.trustbit.attest.TpmTransport;
import java.io.DataInputStream;
import java.io.IOException;

/** Reads one TPM response (Part 1 §18.6: tag UINT16 ‖ responseSize UINT32 ‖ responseCode UINT32 ‖ …). */
final class Responses {
    static final int HEADER = 10;

    private Responses() {
    }

    static int declaredSize(byte[] header) {
        return ((header[2] & 0xFF) << 24) | ((header[3] & 0xFF) << 16) | ((header[4] & 0xFF) << 8) | (header[5] & 0xFF);
    }

    static byte[] read(DataInputStream in, String source) throws IOException {
        byte[] header = new byte[HEADER];
        in.readFully(header);
        int size = declaredSize(header);
        if (size < HEADER || size > TpmTransport.MAX_RESPONSE) {
            throw new IOException(source + ": response size " + Integer.toUnsignedLong(size) + " out of range");
        }
        byte[] resp = new byte[size];
        System.arraycopy(header, 0, resp, 0, HEADER);
        in.readFully(resp, HEADER, size - HEADER);
        return resp;
    }

    static void check(byte[] resp, String source) throws IOException {
        if (resp.length < HEADER || declaredSize(resp) != resp.length) {
            throw new IOException(source + ": response of " + resp.length + " bytes has an inconsistent size field");
        }
    }
}
