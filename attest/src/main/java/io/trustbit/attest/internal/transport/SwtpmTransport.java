package io.trustbit.attest.internal.transport;

import io.trustbit.attest.NetworkFailures;
import io.trustbit.attest.TpmTransport;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * swtpm's raw TCP data channel ({@code swtpm socket --server type=tcp}): the command bytes are written
 * as they are and the response comes back unframed. swtpm serves one data connection at a time;
 * the connection is opened on first use and reopened once if it was dropped.
 */
public final class SwtpmTransport implements TpmTransport {
    private static final int TIMEOUT_MS = 30_000;
    private final String host;
    private final int port;
    private Socket socket;
    private DataInputStream in;
    private OutputStream out;

    public SwtpmTransport(String host, int port) {
        this.host = host;
        this.port = port;
    }

    @Override
    public synchronized byte[] transmit(byte[] command) throws IOException {
        boolean fresh = socket == null;
        try {
            return exchange(command);
        } catch (IOException e) {
            closeQuietly();
            if (fresh) {
                throw e;
            }
            // swtpm drops the data connection on a power cycle (CMD_INIT); one reconnect is safe because
            // a command that never reached the TPM was not executed.
            return exchange(command);
        }
    }

    private byte[] exchange(byte[] command) throws IOException {
        if (socket == null) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(host, port), TIMEOUT_MS);
            } catch (IOException e) {
                s.close();
                // the caller prefixes describe(), which names host and port
                throw new IOException(NetworkFailures.cause(e), e);
            }
            s.setSoTimeout(TIMEOUT_MS);
            s.setTcpNoDelay(true);
            socket = s;
            in = new DataInputStream(s.getInputStream());
            out = new BufferedOutputStream(s.getOutputStream());
        }
        out.write(command);
        out.flush();
        return Responses.read(in, describe());
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException ignored) {
            // the connection is being replaced; its close error has no consequence
        }
    }

    @Override
    public String describe() {
        return "swtpm:" + host + ":" + port;
    }

    @Override
    public synchronized void close() throws IOException {
        Socket s = socket;
        socket = null;
        in = null;
        out = null;
        if (s != null) {
            s.close();
        }
    }
}
