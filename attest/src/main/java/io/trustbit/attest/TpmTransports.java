package io.trustbit.attest;

import io.trustbit.attest.internal.transport.LinuxTpmTransport;
import io.trustbit.attest.internal.transport.ProxyTpmTransport;
import io.trustbit.attest.internal.transport.RetryingTransport;
import io.trustbit.attest.internal.transport.SwtpmTransport;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens a {@link TpmTransport} from the {@code --tpm} syntax: {@code linux:/dev/tpmrm0},
 * {@code swtpm:HOST:PORT} (data channel; the control channel is PORT+1), {@code proxy:SOCKET}
 * (tpm-proxy framing over a unix socket). Every transport returned retries TPM_RC_RETRY,
 * TPM_RC_YIELDED and TPM_RC_TESTING with backoff.
 */
public final class TpmTransports {
    private TpmTransports() {
    }

    public static TpmTransport open(String spec) throws IOException {
        return new RetryingTransport(openRaw(spec));
    }

    static TpmTransport openRaw(String spec) throws IOException {
        int colon = spec.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("TPM '" + spec + "' must be linux:DEVICE, swtpm:HOST:PORT or proxy:SOCKET");
        }
        String kind = spec.substring(0, colon);
        String rest = spec.substring(colon + 1);
        return switch (kind) {
            case "linux" -> new LinuxTpmTransport(Path.of(rest));
            case "swtpm" -> {
                int c = rest.lastIndexOf(':');
                if (c <= 0) {
                    throw new IllegalArgumentException("swtpm TPM must be swtpm:HOST:PORT");
                }
                yield new SwtpmTransport(rest.substring(0, c), port(rest.substring(c + 1)));
            }
            case "proxy" -> new ProxyTpmTransport(Path.of(rest));
            default -> throw new IllegalArgumentException("unknown TPM kind '" + kind + "' (linux, swtpm or proxy)");
        };
    }

    private static int port(String s) {
        try {
            int p = Integer.parseInt(s);
            if (p < 1 || p > 65534) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("swtpm port '" + s + "' must be 1..65534 (control uses PORT+1)");
        }
    }
}
