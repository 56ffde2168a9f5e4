package io.trustbit.measure.internal;

import java.util.HexFormat;

/** Lower-case hex without separators. */
public final class Hex {
    private static final HexFormat HEX = HexFormat.of();

    private Hex() {}

    public static String of(byte[] b) {
        return HEX.formatHex(b);
    }

    /** Parses hex; throws IllegalArgumentException on bad input. */
    public static byte[] parse(String s) {
        return HEX.parseHex(s);
    }
}
