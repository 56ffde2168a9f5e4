package io.trustbit.attest.internal.tss;

import io.trustbit.attest.TpmTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import tss.TpmDevice;

/**
 * Adapts a {@link TpmTransport} to TSS.Java's device interface (TSS.Java's own TCP device speaks the
 * Microsoft simulator protocol, not swtpm's, and prints to stdout). Keeps the raw bytes of the last
 * response so callers can take TPM-produced structures exactly as the TPM marshalled them.
 */
final class TssDevice extends TpmDevice {
    private final TpmTransport transport;
    private byte[] response;

    TssDevice(TpmTransport transport) {
        this.transport = transport;
    }

    @Override
    public boolean connect() {
        return true;
    }

    @Override
    public void dispatchCommand(byte[] command) {
        try {
            response = transport.transmit(command);
        } catch (IOException e) {
            response = null;
            throw new UncheckedIOException(transport.describe() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public byte[] getResponse() {
        return response;
    }

    @Override
    public boolean responseReady() {
        return response != null;
    }

    byte[] lastResponse() {
        return response.clone();
    }

    @Override
    public void close() {
        try {
            transport.close();
        } catch (IOException ignored) {
            // closing a finished connection: nothing depends on it
        }
    }
}
