package io.trustbit.attest;

import java.util.regex.Pattern;

/**
 * A node's id: how the agent names itself, the {@code nodeId} of Evidence, the {@code {nodeId}} of the
 * verifier's paths and the {@code sub} of its verdicts. One rule everywhere (docs/formats.md "Node ids"):
 * 1–128 characters from letters, digits, '.', '_' and '-', the first a letter, digit or '_' (so a host name
 * such as {@code _gateway} fits, and an id is never "." or ".." in a URL path).
 */
public record NodeId(String value) {
    /** Longest id, in characters. */
    public static final int MAX_LENGTH = 128;
    /** The rule as a regular expression (also in docs/api/openapi.yaml). */
    public static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0," + (MAX_LENGTH - 1) + "}");
    /** The rule in words, for error messages. */
    public static final String RULE = "1-" + MAX_LENGTH
            + " characters: letters, digits, '.', '_', '-', starting with a letter, digit or '_'";

    public NodeId {
        if (value == null || !isValid(value)) {
            throw new IllegalArgumentException("node id " + quoted(value) + " is not valid (" + RULE + ")");
        }
    }

    /** The id, or an {@link IllegalArgumentException} naming the rule. */
    public static NodeId of(String value) {
        return new NodeId(value);
    }

    public static boolean isValid(String value) {
        return value != null && value.length() <= MAX_LENGTH && PATTERN.matcher(value).matches();
    }

    /** The value quoted for a message, non-printable characters replaced and long values cut. */
    public static String quoted(String value) {
        if (value == null) {
            return "(none)";
        }
        String shown = value.length() > 140 ? value.substring(0, 140) + "…" : value;
        return "'" + shown.replaceAll("[^\\x20-\\x7e]", "?") + "'";
    }

    @Override
    public String toString() {
        return value;
    }
}
