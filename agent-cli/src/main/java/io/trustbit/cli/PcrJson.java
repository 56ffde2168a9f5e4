package io.trustbit.cli;

import io.trustbit.measure.HashAlg;
import io.trustbit.measure.PcrBanksJson;
import io.trustbit.measure.PcrValues;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The one PCR JSON writer, shared by {@code eventlog replay}, {@code measure} and {@code quote} ({@code pcrs.json}):
 * {@code {"pcrs":{"sha1":{"0":"<hex>",...},"sha256":{...}}}} — lower-case hex, PCR keys as decimal
 * strings sorted numerically, banks in TCG algorithm order ({@link PcrBanksJson}).
 */
public final class PcrJson {
    private PcrJson() {}

    static String of(PcrValues values) {
        Map<HashAlg, SortedMap<Integer, byte[]>> pcrs = new EnumMap<>(HashAlg.class);
        for (HashAlg bank : values.banks()) {
            SortedMap<Integer, byte[]> b = pcrs.computeIfAbsent(bank, k -> new TreeMap<>());
            for (int pcr : values.pcrs(bank)) {
                b.put(pcr, values.get(bank, pcr).orElseThrow());
            }
        }
        return of(pcrs);
    }

    /** The JSON of bank → PCR → value (banks in TCG order whatever the map's order). */
    public static String of(Map<HashAlg, SortedMap<Integer, byte[]>> pcrs) {
        return PcrBanksJson.append(new StringBuilder("{\"pcrs\":"), pcrs).append('}').toString();
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
