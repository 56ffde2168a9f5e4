package io.trustbit.cli.attest;

import io.trustbit.cli.CliException;
import io.trustbit.cli.Inputs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The agent's configuration file ({@code /etc/trustbit/agent.conf}): one {@code key = value} per line, {@code #}
 * starts a comment line, blank lines are ignored. The keys are the long option names of {@code trustbit agent}
 * without the dashes; an option given on the command line overrides the file. Relative paths are relative to the
 * file's directory. An unknown or repeated key, or a line without {@code =}, is refused with its line number.
 */
final class AgentConfigFile {
    static final List<String> KEYS = List.of("tpm", "verifier", "verifier-fingerprint", "ca-cert", "node-id",
            "state-dir", "interval", "attempts", "pcrs", "ak-type", "ek-type", "drtm-log", "ima-log");
    private static final long MAX_BYTES = 64 * 1024;

    private final Path file;
    private final Map<String, String> values;

    private AgentConfigFile(Path file, Map<String, String> values) {
        this.file = file;
        this.values = values;
    }

    static AgentConfigFile none() {
        return new AgentConfigFile(null, Map.of());
    }

    static AgentConfigFile read(Path file) {
        String text = new String(Inputs.read(file, MAX_BYTES, "agent configuration"), StandardCharsets.UTF_8);
        Map<String, String> values = new LinkedHashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw bad(file, i + 1, "expected 'key = value', got '" + line + "'");
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (!KEYS.contains(key)) {
                throw bad(file, i + 1, "unknown key '" + key + "' (known: " + String.join(", ", KEYS) + ")");
            }
            if (value.isEmpty()) {
                throw bad(file, i + 1, "'" + key + "' has no value");
            }
            if (values.putIfAbsent(key, value) != null) {
                throw bad(file, i + 1, "'" + key + "' is given twice");
            }
        }
        return new AgentConfigFile(file, values);
    }

    Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /** A path value, resolved against the file's directory. */
    Optional<Path> path(String key) {
        return get(key).map(v -> file.toAbsolutePath().getParent().resolve(v));
    }

    /** Where a missing setting may be given, for error messages. */
    String whereToGive(String key) {
        return "--" + key + (file == null ? "" : " or '" + key + " = ...' in " + file);
    }

    private static CliException bad(Path file, int line, String what) {
        return CliException.badInput(file + " line " + line + ": " + what, null);
    }
}
