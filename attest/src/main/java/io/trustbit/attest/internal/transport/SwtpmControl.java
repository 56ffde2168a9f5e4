package io.trustbit.attest.internal.transport;

import io.trustbit.attest.NetworkFailures;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * swtpm's control channel (TCP, by convention the data port + 1). Messages are a big-endian UINT32
 * command code followed by its fixed-size request; replies start with a UINT32 result (0 = success).
 * Codes and layouts: swtpm's {@code tpm_ioctl.h} (enum CMD_*, struct ptm_init, struct ptm_loc).
 * The channel serves one client at a time, so each call opens and closes its own connection.
 */
public final class SwtpmControl {
    static final int CMD_INIT = 0x02;
    static final int CMD_SHUTDOWN = 0x03;
    static final int CMD_SET_LOCALITY = 0x05;

    private final String host;
    private final int port;

    public SwtpmControl(String host, int controlPort) {
        this.host = host;
        this.port = controlPort;
    }

    /**
     * TPM_Init: a power cycle (CMD_INIT, ptm_init.init_flags = 0). The TPM then needs TPM2_Startup
     * unless swtpm runs with {@code --flags startup-clear}.
     */
    public void powerCycle() throws IOException {
        call(new byte[] {0, 0, 0, CMD_INIT, 0, 0, 0, 0});
    }

    /** Sets the locality of the following commands (CMD_SET_LOCALITY, ptm_loc: u8 locality, padded to 4). */
    public void setLocality(int locality) throws IOException {
        if (locality < 0 || locality > 4) {
            throw new IllegalArgumentException("locality " + locality);
        }
        call(new byte[] {0, 0, 0, CMD_SET_LOCALITY, (byte) locality, 0, 0, 0});
    }

    /** Asks swtpm to save its state and exit (CMD_SHUTDOWN). */
    public void shutdown() throws IOException {
        call(new byte[] {0, 0, 0, CMD_SHUTDOWN});
    }

    private void call(byte[] request) throws IOException {
        try (Socket s = new Socket()) {
            try {
                s.connect(new InetSocketAddress(host, port), 10_000);
            } catch (IOException e) {
                throw new IOException("swtpm control channel " + host + ":" + port + ": " + NetworkFailures.cause(e), e);
            }
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request);
            out.flush();
            int result = new DataInputStream(s.getInputStream()).readInt();
            if (result != 0) {
                throw new IOException(String.format("swtpm control command 0x%02x failed with result 0x%08x", request[3], result));
            }
        }
    }
}
