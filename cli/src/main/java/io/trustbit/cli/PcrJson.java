package io.trustbit.cli;

import io.trustbit.measure.HashAlg;
import io.trustbit.measure.PcrValues;
import java.util.HexFormat;

/**
 * The PCR JSON shared by {@code eventlog replay} and {@code measure}:
 * {@code {"pcrs":{"sha1":{"0":"<hex>",...},"sha256":{...}}}} — lower-case hex, PCR keys as decimal
 * strings sorted numerically, banks in TCG algorithm order. Written by hand to keep start-up lean.
 */
final class PcrJson {
    private PcrJson() {}

    static String of(PcrValues values) {
        HexFormat hex = HexFormat.of();
        StringBuilder sb = new StringBuilder("{\"pcrs\":{");
        boolean firstBank = true;
        for (HashAlg bank : values.banks()) {
            if (!firstBank) {
                sb.append(',');
            }
            firstBank = false;
            sb.append('"').append(bank.bankName()).append("\":{");
            boolean first = true;
            for (int pcr : values.pcrs(bank)) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                sb.append('"').append(pcr).append("\":\"").append(hex.formatHex(values.get(bank, pcr).orElseThrow()))
                        .append('"');
            }
            sb.append('}');
        }
        return sb.append("}}").toString();
    }

    /** One line per value, for humans: {@code sha256 17 <hex>}. */
    static String text(PcrValues values) {
        HexFormat hex = HexFormat.of();
        StringBuilder sb = new StringBuilder();
        for (HashAlg bank : values.banks()) {
            for (int pcr : values.pcrs(bank)) {
                sb.append(String.format("%-6s %2d  %s%n", bank.bankName(), pcr, hex.formatHex(values.get(bank, pcr).orElseThrow())));
            }
        }
        return sb.toString();
    }
}
