package io.trustbit.attest.internal.transport;

import io.trustbit.attest.TpmTransport;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A Linux TPM character device, normally the kernel resource manager {@code /dev/tpmrm0}: one write
 * of the whole command, one read of the whole response (drivers/char/tpm/tpm-dev-common.c).
 */
public final class LinuxTpmTransport implements TpmTransport {
    private final Path device;
    private final RandomAccessFile file;

    public LinuxTpmTransport(Path device) throws IOException {
        this.device = device;
        this.file = new RandomAccessFile(device.toFile(), "rw");
    }

    @Override
    public synchronized byte[] transmit(byte[] command) throws IOException {
        file.write(command);
        byte[] buf = new byte[TpmTransport.MAX_RESPONSE];
        int n = file.read(buf);
        if (n < 0) {
            throw new IOException(describe() + ": no response");
        }
        byte[] resp = Arrays.copyOf(buf, n);
        Responses.check(resp, describe());
        return resp;
    }

    @Override
    public String describe() {
        return "linux:" + device;
    }

    @Override
    public synchronized void close() throws IOException {
        file.close();
    }
}
