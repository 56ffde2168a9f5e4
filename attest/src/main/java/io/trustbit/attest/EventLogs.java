package io.trustbit.attest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Gathers the event logs that go with a quote: the DRTM log from a file or from the tpm-proxy guest
 * (frame 0x02), and the firmware log from securityfs — the latter only when the TPM is this
 * machine's own ({@code linux:}), because the host's firmware log says nothing about any other TPM.
 */
public final class EventLogs {
    /** Where Linux exposes the firmware's TCG event log. */
    public static final Path LINUX_UEFI_LOG = Path.of("/sys/kernel/security/tpm0/binary_bios_measurements");

    private EventLogs() {
    }

    public static Map<EventLogKind, byte[]> collect(AttestationTpm tpm, String tpmSpec, Optional<Path> drtmLog)
            throws IOException {
        Map<EventLogKind, byte[]> logs = new EnumMap<>(EventLogKind.class);
        if (drtmLog.isPresent()) {
            logs.put(EventLogKind.DRTM, read(drtmLog.get()));
        } else {
            Optional<byte[]> fromProxy = tpm.proxyEventLog();
            if (fromProxy.isPresent() && fromProxy.get().length > 0) {
                logs.put(EventLogKind.DRTM, fromProxy.get());
            }
        }
        if (tpmSpec.startsWith("linux:") && Files.isReadable(LINUX_UEFI_LOG)) {
            logs.put(EventLogKind.UEFI, read(LINUX_UEFI_LOG));
        }
        return logs;
    }

    /** Reads a log, refusing more than {@link EvidenceCodec#MAX_EVENT_LOG_BYTES} (securityfs files report size 0). */
    static byte[] read(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            byte[] b = in.readNBytes(EvidenceCodec.MAX_EVENT_LOG_BYTES + 1);
            if (b.length > EvidenceCodec.MAX_EVENT_LOG_BYTES) {
                throw new IOException(p + " is larger than " + EvidenceCodec.MAX_EVENT_LOG_BYTES + " bytes");
            }
            return b;
        }
    }
}
