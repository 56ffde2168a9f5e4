package io.trustbit.attest.internal.transport;

import io.trustbit.attest.TpmTransport;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The host side of the {@code tpm-proxy} guest's serial line, reached through a unix socket (QEMU
 * chardev). Framing (docs/launch-protocol.md "tpm-proxy framing"): u8 type ‖ u32 BE payload length
 * (≤ 65536) ‖ payload. Type 0x01 carries a TPM command / response, 0x02 requests / returns the event
 * log, 0x03 is ping / {@code tpm-proxy 1}, 0x7F is an error with an ASCII reason.
 *
 * <p>Every frame must arrive within the timeout. A stream that timed out or carried a malformed frame
 * cannot be resynchronised (the guest may hold half a frame), so the transport then refuses further use.
 */
public final class ProxyTpmTransport implements TpmTransport {
    public static final int TYPE_TPM = 0x01;
    public static final int TYPE_EVENT_LOG = 0x02;
    public static final int TYPE_PING = 0x03;
    public static final int TYPE_ERROR = 0x7F;
    public static final int MAX_PAYLOAD = 65536;
    /** Longest wait for one frame: well above the guest's own bound on a TPM command (about 5 s). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

    private final Path socketPath;
    private final SocketChannel channel;
    private final Selector selector;
    private final SelectionKey key;
    private final long timeoutNanos;
    private String broken;

    public ProxyTpmTransport(Path socketPath) throws IOException {
        this(socketPath, DEFAULT_TIMEOUT);
    }

    public ProxyTpmTransport(Path socketPath, Duration timeout) throws IOException {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        this.socketPath = socketPath;
        this.timeoutNanos = timeout.toNanos();
        this.channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socketPath));
            channel.configureBlocking(false);
            this.selector = Selector.open();
            this.key = channel.register(selector, 0);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
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
        if (broken != null) {
            throw new IOException(describe() + ": unusable after an earlier failure (" + broken + ")");
        }
        if (payload.length > MAX_PAYLOAD) {
            throw new IOException("frame payload of " + payload.length + " bytes exceeds " + MAX_PAYLOAD);
        }
        long deadline = System.nanoTime() + timeoutNanos;
        Frame f;
        try {
            writeFrame(type, payload, deadline);
            f = readFrame(deadline);
        } catch (IOException e) {
            broken = e.getMessage();
            throw e;
        }
        if (f.type() == TYPE_ERROR) {
            throw new IOException(describe() + ": proxy error: " + printable(f.payload()));
        }
        if (f.type() != type) {
            // An answer to another request: this stream is out of step for good.
            broken = "answer of another type";
            throw new IOException(String.format("%s: expected frame type 0x%02x, got 0x%02x", describe(), type, f.type()));
        }
        return f.payload();
    }

    private void writeFrame(int type, byte[] payload, long deadline) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(5 + payload.length);
        b.put((byte) type).putInt(payload.length).put(payload).flip();
        while (b.hasRemaining()) {
            if (channel.write(b) == 0) {
                await(SelectionKey.OP_WRITE, deadline);
            }
        }
    }

    private Frame readFrame(long deadline) throws IOException {
        ByteBuffer header = readFully(5, deadline);
        int type = header.get() & 0xFF;
        int len = header.getInt();
        if (len < 0 || len > MAX_PAYLOAD) {
            throw new IOException(describe() + ": frame length " + Integer.toUnsignedLong(len) + " exceeds " + MAX_PAYLOAD);
        }
        return new Frame(type, readFully(len, deadline).array());
    }

    private ByteBuffer readFully(int n, long deadline) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            int got = channel.read(b);
            if (got < 0) {
                throw new IOException(describe() + ": connection closed mid-frame");
            }
            if (got == 0) {
                await(SelectionKey.OP_READ, deadline);
            }
        }
        b.flip();
        return b;
    }

    /** Waits until the channel is ready for {@code op}, or fails once the deadline has passed. */
    private void await(int op, long deadline) throws IOException {
        key.interestOps(op);
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            if (selector.select(Math.max(1, left / 1_000_000)) > 0) {
                selector.selectedKeys().clear();
                return;
            }
        }
        throw new IOException(String.format("%s: no complete answer within %.1f s", describe(), timeoutNanos / 1e9));
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
        try (selector) {
            channel.close();
        }
    }
}
