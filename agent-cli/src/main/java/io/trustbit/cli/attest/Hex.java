package io.trustbit.cli.attest;

import io.trustbit.cli.CliException;
import java.util.HexFormat;

/** Hex arguments. */
final class Hex {
    private Hex() {
    }

    static byte[] parse(String s, String option, int minBytes, int maxBytes) {
        if (s.length() % 2 != 0 || !s.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw CliException.badInput(option + " must be an even number of hex digits", null);
        }
        byte[] b = HexFormat.of().parseHex(s);
        if (b.length < minBytes || b.length > maxBytes) {
            throw CliException.badInput(option + " must be " + minBytes + ".." + maxBytes + " bytes, not " + b.length, null);
        }
        return b;
    }
}
