package io.trustbit.attest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Gathers the event logs that go with a quote: the DRTM log from a file, from the tpm-proxy guest
 * (frame 0x02) or, in a Linux guest of the VMM, from the reserved memory range the VMM names on the
 * kernel command line ({@code trustbit.drtm_log=ADDR,LEN}, read through /dev/mem), and the firmware log
 * from securityfs — the latter only when the TPM is this
 * machine's own ({@code linux:}), because the host's firmware log says nothing about any other TPM.
 */
public final class EventLogs {
    /** Where Linux exposes the firmware's TCG event log. */
    public static final Path LINUX_UEFI_LOG = Path.of("/sys/kernel/security/tpm0/binary_bios_measurements");
    /** The VMM appends {@code trustbit.drtm_log=0xADDR,0xLEN} to a Linux guest's command line. */
    public static final String DRTM_LOG_PARAM = "trustbit.drtm_log=";
    private static final Path PROC_CMDLINE = Path.of("/proc/cmdline");
    private static final Path DEV_MEM = Path.of("/dev/mem");

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
            } else if (tpmSpec.startsWith("linux:")) {
                vmmDrtmLog(PROC_CMDLINE, DEV_MEM).ifPresent(log -> logs.put(EventLogKind.DRTM, log));
            }
        }
        if (tpmSpec.startsWith("linux:") && Files.isReadable(LINUX_UEFI_LOG)) {
            logs.put(EventLogKind.UEFI, read(LINUX_UEFI_LOG));
        }
        return logs;
    }

    /**
     * The DRTM log the VMM copied into guest memory: the last {@code trustbit.drtm_log=0xADDR,0xLEN} word of
     * the command line names it (the VMM appends its own after the signed command line); empty if there is
     * none. The bytes are untrusted like any log: the verifier replays them against the quote.
     */
    static Optional<byte[]> vmmDrtmLog(Path cmdline, Path mem) throws IOException {
        if (!Files.isReadable(cmdline)) {
            return Optional.empty();
        }
        String value = null;
        for (String word : Files.readString(cmdline, java.nio.charset.StandardCharsets.US_ASCII).trim().split("\\s+")) {
            if (word.startsWith(DRTM_LOG_PARAM)) {
                value = word.substring(DRTM_LOG_PARAM.length());
            }
        }
        if (value == null) {
            return Optional.empty();
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("0x([0-9a-f]{1,16}),0x([0-9a-f]{1,8})").matcher(value);
        if (!m.matches()) {
            throw new IOException(cmdline + ": " + DRTM_LOG_PARAM + value + " is not 0xADDR,0xLEN");
        }
        long addr = Long.parseUnsignedLong(m.group(1), 16);
        long len = Long.parseLong(m.group(2), 16);
        if (addr < 0 || len > EvidenceCodec.MAX_EVENT_LOG_BYTES) {
            throw new IOException(cmdline + ": " + DRTM_LOG_PARAM + value + " is out of range");
        }
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) len);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(mem)) {
            while (buf.hasRemaining()) {
                if (ch.read(buf, addr + buf.position()) < 0) {
                    throw new IOException(mem + ": the DRTM log at 0x" + Long.toHexString(addr) + " ends early");
                }
            }
        }
        return Optional.of(buf.array());
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
