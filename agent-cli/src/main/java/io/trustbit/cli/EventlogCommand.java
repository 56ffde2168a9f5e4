package io.trustbit.cli;

import io.trustbit.measure.EventLogFormatException;
import io.trustbit.measure.EventType;
import io.trustbit.measure.FormatException;
import io.trustbit.measure.GuestRecord;
import io.trustbit.measure.HashAlg;
import io.trustbit.measure.UntrustedEvent;
import io.trustbit.measure.UntrustedEventLog;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code trustbit eventlog dump|replay FILE}: TCG PC Client event logs (legacy SHA-1 or crypto-agile). */
@Command(name = "eventlog", mixinStandardHelpOptions = true, description = "Inspect and replay TCG event logs.",
        subcommands = {EventlogCommand.Dump.class, EventlogCommand.Replay.class})
public final class EventlogCommand {
    static final long MAX_LOG_BYTES = 256L * 1024 * 1024;

    static UntrustedEventLog parse(Path file) {
        byte[] bytes = Inputs.read(file, MAX_LOG_BYTES, "event log");
        try {
            return UntrustedEventLog.parse(bytes);
        } catch (EventLogFormatException e) {
            throw CliException.badInput(file + ": " + e.getMessage(), e);
        }
    }

    /** {@code trustbit eventlog dump FILE}: one block per event. */
    @Command(name = "dump", mixinStandardHelpOptions = true, description = "Print every event: index, PCR, type, digests, data summary.")
    static final class Dump implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin VerboseOption verbose;
        @Parameters(arity = "1", paramLabel = "FILE") Path file;
        @Option(names = "--json", description = "One JSON document: {\"events\":[{\"index\",\"pcr\",\"type\",\"digests\",\"data\",\"guest\"?}]}.")
        boolean json;

        @Override
        public Integer call() {
            UntrustedEventLog log = parse(file);
            PrintWriter out = spec.commandLine().getOut();
            HexFormat hex = HexFormat.of();
            if (json) {
                out.println(json(log, hex));
                return ExitCode.OK.code();
            }
            out.println("format: " + (log.format() == UntrustedEventLog.Format.CRYPTO_AGILE ? "crypto-agile" : "legacy SHA-1")
                    + ", banks: " + String.join(",", log.banks().stream().map(HashAlg::bankName).toList())
                    + ", events: " + log.events().size() + ", PCR 0 start locality: " + log.pcr0StartLocality());
            for (UntrustedEvent e : log.events()) {
                out.printf("%d  PCR %d  %s  (offset 0x%x)%n", e.index(), e.pcrIndex(), EventType.name(e.eventType()), e.offset());
                for (Map.Entry<HashAlg, byte[]> d : e.digests().entrySet()) {
                    out.printf("    %-6s %s%n", d.getKey().bankName(), hex.formatHex(d.getValue()));
                }
                out.println("    data   " + summary(e.data(), hex));
                GuestRecord g = guestRecord(e);
                if (g != null) {
                    out.printf("    guest  %s %s, image sha256 %s, signer %s, security version %d%s%n", g.name(),
                            g.decision() == GuestRecord.LAUNCHED ? "launched" : "REFUSED", hex.formatHex(g.imageSha256()),
                            hex.formatHex(g.signerKeyId()), g.securityVersion(),
                            g.decision() == GuestRecord.LAUNCHED ? "" : ", reason " + g.reason());
                    if (g.isLinux()) {
                        out.printf("           linux: initrd sha256 %s, command line sha256 %s%n",
                                hex.formatHex(g.initrdSha256()), hex.formatHex(g.cmdlineSha256()));
                    }
                }
            }
            return ExitCode.OK.code();
        }

        /** The decoded guest record of a PCR 19 event, or null when the event is not a well-formed one. */
        static GuestRecord guestRecord(UntrustedEvent e) {
            if (e.eventType() != EventType.TB_GUEST) {
                return null;
            }
            try {
                return GuestRecord.parse(e.data());
            } catch (FormatException ex) {
                return null;
            }
        }

        static String json(UntrustedEventLog log, HexFormat hex) {
            StringBuilder sb = new StringBuilder(256 + 256 * log.events().size()).append("{\"events\":[");
            String sep = "";
            for (UntrustedEvent e : log.events()) {
                sb.append(sep).append("{\"index\":").append(e.index()).append(",\"pcr\":").append(e.pcrIndex())
                        .append(",\"type\":\"").append(EventType.name(e.eventType())).append("\",\"digests\":{");
                String dsep = "";
                for (Map.Entry<HashAlg, byte[]> d : e.digests().entrySet()) {
                    sb.append(dsep).append('"').append(d.getKey().bankName()).append("\":\"")
                            .append(hex.formatHex(d.getValue())).append('"');
                    dsep = ",";
                }
                sb.append("},\"data\":\"").append(hex.formatHex(e.data())).append('"');
                GuestRecord g = guestRecord(e);
                if (g != null) {
                    sb.append(",\"guest\":{\"name\":\"").append(g.name()).append("\",\"decision\":\"")
                            .append(g.decision() == GuestRecord.LAUNCHED ? "launched" : "refused")
                            .append("\",\"reason\":").append(g.reason())
                            .append(",\"imageSha256\":\"").append(hex.formatHex(g.imageSha256()))
                            .append("\",\"signerKeyId\":\"").append(hex.formatHex(g.signerKeyId()))
                            .append("\",\"securityVersion\":").append(g.securityVersion());
                    if (g.isLinux()) {
                        sb.append(",\"initrdSha256\":\"").append(hex.formatHex(g.initrdSha256()))
                                .append("\",\"cmdlineSha256\":\"").append(hex.formatHex(g.cmdlineSha256())).append('"');
                    }
                    sb.append('}');
                }
                sb.append('}');
                sep = ",";
            }
            return sb.append("]}").toString();
        }

        /** Printable ASCII is shown quoted (cut at 80 characters), anything else as hex (first 32 bytes). */
        static String summary(byte[] data, HexFormat hex) {
            int n = data.length;
            int end = n > 0 && data[n - 1] == 0 ? n - 1 : n;
            boolean text = end > 0;
            for (int i = 0; i < end && text; i++) {
                text = data[i] >= 0x20 && data[i] < 0x7F;
            }
            if (text) {
                String s = new String(data, 0, Math.min(end, 80), java.nio.charset.StandardCharsets.US_ASCII);
                return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"" + (end > 80 ? "..." : "")
                        + " (" + n + " bytes)";
            }
            return hex.formatHex(data, 0, Math.min(n, 32)) + (n > 32 ? "..." : "") + " (" + n + " bytes)";
        }
    }

    /** {@code trustbit eventlog replay FILE [--json]}: the PCR values the log claims. */
    @Command(name = "replay", mixinStandardHelpOptions = true, description = "Replay the log; print every PCR that has events, in every bank.")
    static final class Replay implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin VerboseOption verbose;
        @Parameters(arity = "1", paramLabel = "FILE") Path file;
        @Option(names = "--json", description = "{\"pcrs\":{\"sha256\":{\"0\":\"<hex>\",...},...}}") boolean json;

        @Override
        public Integer call() {
            UntrustedEventLog log = parse(file);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(PcrJson.of(log.replay()));
            } else {
                out.print(PcrJson.text(log.replay()));
            }
            return ExitCode.OK.code();
        }
    }
}
