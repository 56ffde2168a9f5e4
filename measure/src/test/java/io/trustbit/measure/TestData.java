package io.trustbit.measure;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;

/** Locates the shared read-only test data: {@code ../../shared/testdata} from the module directory. */
final class TestData {
    private TestData() {}

    static Path root() {
        Path here = Paths.get("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            Path candidate = p.resolveSibling("shared").resolve("testdata");
            if (p.getParent() != null && Files.isDirectory(candidate.resolve("eventlogs"))) {
                return candidate;
            }
        }
        return fail("test data not found: expected ../../shared/testdata relative to " + here);
    }

    static Path eventlogs() {
        return root().resolve("eventlogs").resolve("tpm2-tools");
    }

    /** Every {@code .bin} log of the tpm2-tools fixtures. */
    static List<Path> tpm2ToolsLogs() throws IOException {
        try (Stream<Path> s = Files.list(eventlogs())) {
            List<Path> logs = s.filter(p -> p.getFileName().toString().endsWith(".bin")).sorted().toList();
            if (logs.size() < 10) {
                fail("expected the tpm2-tools event logs in " + eventlogs() + ", found " + logs.size());
            }
            return logs;
        }
    }
}
