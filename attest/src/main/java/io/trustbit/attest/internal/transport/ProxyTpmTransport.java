package io.trustbit.attest.internal.transport;

import io.trustbit.attest.TpmTransport;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The host side of the {@code tpm-proxy} guest's serial line, reached through a unix socket (QEMU
 * chardev). Framing (docs/launch-protocol.md "tpm-proxy framing"): u8 type ‖ u32 BE payload length
 * (≤ 65536) ‖ payload. Type 0x01 carries a TPM command / response, 0x02 requests / returns the event
 * log, 0x03 is ping / {@code tpm-proxy 1}, 0x7F is an error with an ASCII reason.
 */
public final class ProxyTpmTransport implements TpmTransport {
    public static final int TYPE_TPM = 0x01;
    public static final int TYPE_EVENT_LOG = 0x02;
    public static final int TYPE_PING = 0x03;
    public static final int TYPE_ERROR = 0x7F;
    public static final int MAX_PAYLOAD = 65536;

    private final Path socketPath;
    private final SocketChannel channel;

    public ProxyTpmTransport(Path socketPath) throws IOException {
        this.socketPath = socketPath;
        this.channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        this.channel.connect(UnixDomainSocketAddress.of(socketPath));
    }

    /** One frame as received. */
    public record Frame(int type, byte[] payload) {
    }

    @Override
    public synchronized byte[] transmit(byte[] command) throws IOException {
        byte[] resp = request(TYPE_TPM, command);
        Responses.check(resp, describe());
        return resp;
    }

    /** The guest's event log (frame 0x02). */
    public synchronized byte[] eventLog() throws IOException {
        return request(TYPE_EVENT_LOG, new byte[0]);
    }

    /** Pings the proxy; returns its identification ({@code tpm-proxy 1}). */
    public synchronized String ping() throws IOException {
        return new String(request(TYPE_PING, new byte[0]), StandardCharsets.US_ASCII);
    }

    private byte[] request(int type, byte[] payload) throws IOException {
        writeFrame(type, payload);
        Frame f = readFrame();
        if (f.type() == TYPE_ERROR) {
            throw new IOException(describe() + ": proxy error: " + printable(f.payload()));
        }
        if (f.type() != type) {
            throw new IOException(String.format("%s: expected frame type 0x%02x, got 0x%02x", describe(), type, f.type()));
        }
        return f.payload();
    }

    private void writeFrame(int type, byte[] payload) throws IOException {
        if (payload.length > MAX_PAYLOAD) {
            throw new IOException("frame payload of " + payload.length + " bytes exceeds " + MAX_PAYLOAD);
        }
        ByteBuffer b = ByteBuffer.allocate(5 + payload.length);
        b.put((byte) type).putInt(payload.length).put(payload).flip();
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    private Frame readFrame() throws IOException {
        ByteBuffer header = readFully(5);
        int type = header.get() & 0xFF;
        int len = header.getInt();
        if (len < 0 || len > MAX_PAYLOAD) {
            throw new IOException(describe() + ": frame length " + Integer.toUnsignedLong(len) + " exceeds " + MAX_PAYLOAD);
        }
        return new Frame(type, readFully(len).array());
    }

    private ByteBuffer readFully(int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) {
                throw new IOException(describe() + ": connection closed mid-frame");
            }
        }
        b.flip();
        return b;
    }

    private static String printable(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 200); i++) {
            int c = b[i] & 0xFF;
            sb.append(c >= 0x20 && c < 0x7F ? (char) c : '?');
        }
        return sb.toString();
    }

    @Override
    public String describe() {
        return "proxy:" + socketPath;
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }
}
