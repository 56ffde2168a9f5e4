package io.trustbit.attest.internal.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.attest.AkLocation;
import io.trustbit.attest.AkType;
import io.trustbit.attest.AttestationTpm;
import io.trustbit.attest.EkType;
import io.trustbit.attest.EventLogKind;
import io.trustbit.attest.EventLogs;
import io.trustbit.attest.Quote;
import io.trustbit.attest.tpm2.PcrSelection;
import io.trustbit.attest.tpm2.QuoteSignatures;
import io.trustbit.attest.tpm2.TpmtPublic;
import io.trustbit.attest.tpm2.TpmtSignature;
import io.trustbit.testkit.Swtpm;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tpm-proxy transport against a small server that speaks the framing of docs/launch-protocol.md
 * and forwards TPM commands to a real swtpm, as the guest's tpm-proxy does with its TPM.
 */
class ProxyTransportTest {
    static Swtpm swtpm;
    static final byte[] LOG = "drtm event log bytes".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        swtpm = Swtpm.start();
    }

    @AfterAll
    static void stop() {
        swtpm.close();
    }

    /** Behaviour of the test proxy for a connection. */
    enum Mode { FORWARD, RETRY_FIRST, OVERSIZED_FRAME, ERROR_FRAME, HALF_FRAME }

    /** Serves one connection on a unix socket in a background thread. */
    static Path serve(Path dir, Mode mode, AtomicInteger tpmCommands) throws IOException {
        Path sock = dir.resolve("proxy.sock");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(sock));
        Thread t = new Thread(() -> {
            try (server; SocketChannel c = server.accept(); SwtpmTransport tpm = new SwtpmTransport("127.0.0.1", swtpm.port())) {
                while (true) {
                    ByteBuffer h = read(c, 5);
                    if (h == null) {
                        return;
                    }
                    int type = h.get() & 0xFF;
                    byte[] payload = read(c, h.getInt()).array();
                    if (mode == Mode.OVERSIZED_FRAME) {
                        c.write(ByteBuffer.allocate(5).put((byte) 1).putInt(70_000).flip());
                        return;
                    }
                    if (mode == Mode.HALF_FRAME) {
                        // a header announcing 8 bytes, then silence with the connection open
                        c.write(ByteBuffer.allocate(7).put((byte) type).putInt(8).put((byte) 't').put((byte) 'p').flip());
                        continue;
                    }
                    if (mode == Mode.ERROR_FRAME) {
                        write(c, 0x7F, "TPM not reachable\u0001".getBytes(StandardCharsets.US_ASCII));
                        continue;
                    }
                    switch (type) {
                        case 0x01 -> {
                            if (mode == Mode.RETRY_FIRST && tpmCommands.getAndIncrement() == 0) {
                                // TPM_RC_RETRY: tag 0x8001, size 10, rc 0x922
                                write(c, 0x01, new byte[] {(byte) 0x80, 0x01, 0, 0, 0, 10, 0, 0, 0x09, 0x22});
                            } else {
                                if (mode != Mode.RETRY_FIRST) {
                                    tpmCommands.incrementAndGet();
                                }
                                write(c, 0x01, tpm.transmit(payload));
                            }
                        }
                        case 0x02 -> write(c, 0x02, LOG);
                        case 0x03 -> write(c, 0x03, "tpm-proxy 1".getBytes(StandardCharsets.US_ASCII));
                        default -> write(c, 0x7F, "unknown frame".getBytes(StandardCharsets.US_ASCII));
                    }
                }
            } catch (IOException e) {
                // the client went away
            }
        });
        t.setDaemon(true);
        t.start();
        return sock;
    }

    private static ByteBuffer read(SocketChannel c, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (c.read(b) < 0) {
                return null;
            }
        }
        return b.flip();
    }

    private static void write(SocketChannel c, int type, byte[] payload) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(5 + payload.length).put((byte) type).putInt(payload.length).put(payload).flip();
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    @Test
    void quoteAndEventLogThroughTheProxy() throws Exception {
        AtomicInteger commands = new AtomicInteger();
        Path sock = serve(tmp, Mode.FORWARD, commands);
        String spec = "proxy:" + sock;
        try (AttestationTpm tpm = AttestationTpm.open(spec)) {
            Quote q = tpm.quote(AkLocation.stateDir(tmp.resolve("state")), AkType.ECC_P256, EkType.ECC, new byte[16],
                    PcrSelection.parse("sha256:0-7,17-23"));
            QuoteSignatures.verify(TpmtPublic.parse(q.akPublic()), q.attest(), TpmtSignature.parse(q.signature()));
            assertArrayEquals(LOG, tpm.proxyEventLog().orElseThrow());
            Map<EventLogKind, byte[]> logs = EventLogs.collect(tpm, spec, Optional.empty());
            assertArrayEquals(LOG, logs.get(EventLogKind.DRTM));
            assertTrue(commands.get() > 5, "TPM commands went through the proxy");
        }
    }

    @Test
    void pingAndTransientRetry() throws Exception {
        AtomicInteger commands = new AtomicInteger();
        Path sock = serve(tmp, Mode.RETRY_FIRST, commands);
        try (ProxyTpmTransport proxy = new ProxyTpmTransport(sock)) {
            assertEquals("tpm-proxy 1", proxy.ping());
            RetryingTransport retrying = new RetryingTransport(proxy);
            // TPM2_GetRandom(8): the first answer is TPM_RC_RETRY, the resent command succeeds
            byte[] getRandom = {(byte) 0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7B, 0, 8};
            byte[] resp = retrying.transmit(getRandom);
            assertEquals(0, resp[6] | resp[7] | resp[8] | resp[9], "success after retry");
            assertEquals(2, commands.get());
        }
    }

    @Test
    void hostileFramesAreRefused() throws Exception {
        Path a = serve(java.nio.file.Files.createDirectories(tmp.resolve("a")), Mode.OVERSIZED_FRAME, new AtomicInteger());
        try (ProxyTpmTransport proxy = new ProxyTpmTransport(a)) {
            IOException e = assertThrows(IOException.class, () -> proxy.transmit(new byte[] {(byte) 0x80, 1, 0, 0, 0, 10, 0, 0, 1, 0x44}));
            assertTrue(e.getMessage().contains("exceeds 65536"), e.getMessage());
        }
        Path b = serve(java.nio.file.Files.createDirectories(tmp.resolve("b")), Mode.ERROR_FRAME, new AtomicInteger());
        try (ProxyTpmTransport proxy = new ProxyTpmTransport(b)) {
            IOException e = assertThrows(IOException.class, proxy::ping);
            assertTrue(e.getMessage().contains("proxy error: TPM not reachable?"), e.getMessage());
        }
    }

    @Test
    void aSilentProxyTimesOutAndTheStreamIsNotReused() throws Exception {
        Path sock = serve(tmp, Mode.HALF_FRAME, new AtomicInteger());
        try (ProxyTpmTransport proxy = new ProxyTpmTransport(sock, java.time.Duration.ofMillis(300))) {
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class, proxy::ping);
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(e.getMessage().contains("no complete answer within 0.3 s"), e.getMessage());
            assertTrue(ms >= 250 && ms < 10_000, "gave up after " + ms + " ms");
            IOException again = assertThrows(IOException.class, proxy::ping);
            assertTrue(again.getMessage().contains("unusable after an earlier failure"), again.getMessage());
        }
    }
}
