package io.trustbit.attest;

import io.trustbit.attest.tpm2.ClockInfo;
import io.trustbit.attest.tpm2.PcrSelection;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The agent's part of runtime attestation (docs/verifier.md "IMA"): when the node has an IMA measurement
 * list, PCR 10 joins the quote and the list goes with the evidence, from where the verifier's appraisal of
 * this boot stands. The list is read after the quote, so it holds at least every entry PCR 10 covers
 * (entries the kernel adds in between are sent too and wait for the next quote).
 */
public final class ImaLogs {
    /** Where Linux exposes the IMA measurement list. */
    public static final Path LINUX_IMA_LOG = Path.of("/sys/kernel/security/ima/binary_runtime_measurements");
    /** The PCR IMA extends. */
    public static final int IMA_PCR = 10;
    private static final int SKIP_CHUNK = 64 * 1024;

    private ImaLogs() {
    }

    /**
     * The list this agent sends when the verifier asks for it: {@code configured} if given, else the kernel's
     * when the TPM is this machine's own ({@code linux:}, as for the firmware log); empty when that file does
     * not exist.
     */
    public static Optional<Path> source(Optional<Path> configured, String tpmSpec) {
        Path p = configured.orElse(tpmSpec.startsWith("linux:") ? LINUX_IMA_LOG : null);
        return p != null && Files.exists(p) ? Optional.of(p) : Optional.empty();
    }

    /** {@code selection} with PCR 10 in each of its banks. */
    public static PcrSelection withImaPcr(PcrSelection selection) {
        List<PcrSelection.Bank> banks = new ArrayList<>();
        for (PcrSelection.Bank b : selection.banks()) {
            TreeSet<Integer> pcrs = new TreeSet<>(b.pcrs());
            pcrs.add(IMA_PCR);
            banks.add(new PcrSelection.Bank(b.alg(), pcrs));
        }
        return PcrSelection.of(banks);
    }

    /**
     * The entries of {@code list} after {@code appraised}, if that position is of the boot the quote's
     * {@code clock} counts and lies within the file; otherwise the whole list (a new boot, or a verifier that
     * holds nothing). At most {@link EvidenceCodec#MAX_IMA_LOG_BYTES} are sent: a longer tail is an error.
     */
    public static ImaTail tail(Path list, Optional<ImaPosition> appraised, ClockInfo clock) throws IOException {
        ImaPosition from = appraised.filter(a -> a.inBoot(clock.resetCount(), clock.restartCount())).orElse(null);
        try (InputStream in = Files.newInputStream(list)) {
            if (from != null && from.byteOffset() > 0 && skipped(in, from.byteOffset())) {
                return new ImaTail(from.nextEntry(), from.byteOffset(), bounded(in, list));
            }
        }
        try (InputStream in = Files.newInputStream(list)) {
            return new ImaTail(0, 0, bounded(in, list));
        }
    }

    /** Reads and discards {@code n} bytes (securityfs files cannot always seek); false if the file is shorter. */
    private static boolean skipped(InputStream in, long n) throws IOException {
        byte[] buf = new byte[SKIP_CHUNK];
        long left = n;
        while (left > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (r < 0) {
                return false;
            }
            left -= r;
        }
        return true;
    }

    private static byte[] bounded(InputStream in, Path list) throws IOException {
        byte[] b = in.readNBytes(EvidenceCodec.MAX_IMA_LOG_BYTES + 1);
        if (b.length > EvidenceCodec.MAX_IMA_LOG_BYTES) {
            throw new IOException(list + ": more than " + EvidenceCodec.MAX_IMA_LOG_BYTES
                    + " bytes of IMA entries to send in one evidence");
        }
        return b;
    }
}
