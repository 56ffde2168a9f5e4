package io.trustbit.measure;

import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;

/**
 * The one writer of PCR values as a JSON object, {@code {"sha1":{"0":"<hex>",...},"sha256":{...}}}: lower-case
 * hex, PCR keys as decimal strings sorted numerically, banks in TCG algorithm order whatever the map's order. Used
 * for the CLI's pcrs.json and for Evidence ("pcrs"); written by hand to keep start-up lean (no JSON library).
 */
public final class PcrBanksJson {
    private PcrBanksJson() {}

    /** Appends the JSON object of bank → PCR → value to {@code sb}. */
    public static StringBuilder append(StringBuilder sb, Map<HashAlg, SortedMap<Integer, byte[]>> pcrs) {
        HexFormat hex = HexFormat.of();
        sb.append('{');
        boolean firstBank = true;
        for (HashAlg alg : HashAlg.values()) {
            SortedMap<Integer, byte[]> bank = pcrs.get(alg);
            if (bank == null) {
                continue;
            }
            sb.append(firstBank ? "" : ",").append('"').append(alg.bankName()).append("\":{");
            firstBank = false;
            boolean first = true;
            for (Map.Entry<Integer, byte[]> e : bank.entrySet()) {
                sb.append(first ? "" : ",").append('"').append(e.getKey()).append("\":\"").append(hex.formatHex(e.getValue()))
                        .append('"');
                first = false;
            }
            sb.append('}');
        }
        return sb.append('}');
    }
}
