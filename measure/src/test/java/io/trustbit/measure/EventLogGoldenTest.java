package io.trustbit.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.trustbit.measure.internal.Hex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every real log of tpm2-tools' fixtures replays to exactly the {@code pcrs:} map tpm2_eventlog printed. */
class EventLogGoldenTest {

    static Stream<Path> logs() throws IOException {
        return TestData.tpm2ToolsLogs().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("logs")
    void replayMatchesTpm2Eventlog(Path log) throws Exception {
        PcrValues expected = expectedPcrs(log.resolveSibling(log.getFileName() + ".expected.yaml"));
        assertFalse(expected.isEmpty(), "no pcrs section for " + log);
        UntrustedEventLog parsed = UntrustedEventLog.parse(Files.readAllBytes(log));
        assertEquals(expected, parsed.replay(), log.getFileName().toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("logs")
    void verifiesAgainstItsOwnExpectedValues(Path log) throws Exception {
        PcrValues expected = expectedPcrs(log.resolveSibling(log.getFileName() + ".expected.yaml"));
        UntrustedEventLog parsed = UntrustedEventLog.parse(Files.readAllBytes(log));
        VerifiedEventLog v = parsed.verifyAgainst(expected);
        long extending = parsed.events().stream().filter(e -> e.eventType() != EventType.EV_NO_ACTION).count();
        assertEquals(extending, v.events().size());
    }

    /** Reads the final {@code pcrs:} map: bank lines at two spaces, {@code N : 0xHEX} lines at four. */
    static PcrValues expectedPcrs(Path yaml) throws IOException {
        List<String> lines = Files.readAllLines(yaml);
        Pattern bank = Pattern.compile("^  (sha\\d+):\\s*$");
        Pattern pcr = Pattern.compile("^    (\\d+)\\s*:\\s*0x([0-9a-fA-F]+)\\s*$");
        PcrValues.Builder b = PcrValues.builder();
        boolean inPcrs = false;
        HashAlg current = null;
        for (String line : lines) {
            if (line.equals("pcrs:")) {
                inPcrs = true;
                continue;
            }
            if (!inPcrs) {
                continue;
            }
            Matcher m = bank.matcher(line);
            Matcher p = pcr.matcher(line);
            if (m.matches()) {
                current = HashAlg.fromBankName(m.group(1)).orElseThrow();
            } else if (p.matches() && current != null) {
                b.put(current, Integer.parseInt(p.group(1)), Hex.parse(p.group(2).toLowerCase()));
            } else if (!line.isBlank()) {
                throw new IllegalStateException("unexpected line in pcrs section of " + yaml + ": " + line);
            }
        }
        return b.build();
    }
}
