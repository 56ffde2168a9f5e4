package io.trustbit.attest.internal.tss;

import io.trustbit.attest.TpmTransport;
import io.trustbit.attest.tpm2.Tpm2FormatException;
import io.trustbit.attest.tpm2.TpmResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import tss.TpmDevice;

/**
 * Adapts a {@link TpmTransport} to TSS.Java's device interface (TSS.Java's own TCP device speaks the
 * Microsoft simulator protocol, not swtpm's, and prints to stdout). Every response is read by attest's
 * bounds-checked {@link TpmResponse} parser before TSS.Java sees it: a response whose size field disagrees
 * with its length, or whose parameters do not parse, never reaches TSS.Java's unmarshalling.
 */
final class TssDevice extends TpmDevice {
    /** Reads the parameters of a successful response into what the caller needs. */
    @FunctionalInterface
    interface ResponseParser<T> {
        T parse(byte[] raw) throws Tpm2FormatException;
    }

    /** A response that is not what the command returns; carries the parser's message. */
    static final class MalformedResponse extends RuntimeException {
        MalformedResponse(Tpm2FormatException cause) {
            super(cause.getMessage(), cause);
        }
    }

    private final TpmTransport transport;
    private byte[] response;
    private int responseCode;
    private ResponseParser<?> parser;
    private Object parsed;

    TssDevice(TpmTransport transport) {
        this.transport = transport;
    }

    /** Sets the parser for the next command's response. */
    void expect(ResponseParser<?> next) {
        parser = next;
        parsed = null;
        responseCode = -1;
    }

    @Override
    public boolean connect() {
        return true;
    }

    @Override
    public void dispatchCommand(byte[] command) {
        response = null;
        byte[] raw;
        try {
            raw = transport.transmit(command);
        } catch (IOException e) {
            throw new UncheckedIOException(transport.describe() + ": " + e.getMessage(), e);
        }
        try {
            responseCode = TpmResponse.responseCode(raw);
            if (responseCode == 0 && parser != null) {
                parsed = parser.parse(raw);
            }
        } catch (Tpm2FormatException e) {
            throw new MalformedResponse(e);
        }
        response = raw;
    }

    @Override
    public byte[] getResponse() {
        return response;
    }

    @Override
    public boolean responseReady() {
        return response != null;
    }

    /** The last response's code, or -1 if no well-formed response arrived. */
    int responseCode() {
        return responseCode;
    }

    /** What the parser made of the last successful response. */
    Object parsed() {
        return parsed;
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
