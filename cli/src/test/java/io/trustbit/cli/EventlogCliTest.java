package io.trustbit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code trustbit eventlog replay --json} and {@code dump} on the real tpm2-tools logs. */
class EventlogCliTest {

    static Path logsDir() {
        for (Path p = Paths.get("").toAbsolutePath(); p.getParent() != null; p = p.getParent()) {
            Path c = p.resolveSibling("shared").resolve("testdata").resolve("eventlogs").resolve("tpm2-tools");
            if (Files.isDirectory(c)) {
                return c;
            }
        }
        return fail("test data not found: expected ../../shared/testdata relative to the module directory");
    }

    static List<Path> logs() throws Exception {
        try (Stream<Path> s = Files.list(logsDir())) {
            List<Path> l = s.filter(p -> p.toString().endsWith(".bin")).sorted().toList();
            assertTrue(l.size() >= 10, "tpm2-tools logs missing in " + logsDir());
            return l;
        }
    }

    /** The JSON the contract promises, built from the YAML tpm2_eventlog printed. */
    static String expectedJson(Path yaml) throws Exception {
        Map<String, Map<Integer, String>> banks = new TreeMap<>((a, b) -> bankOrder(a) - bankOrder(b));
        Pattern bank = Pattern.compile("^  (sha\\d+):\\s*$");
        Pattern pcr = Pattern.compile("^    (\\d+)\\s*:\\s*0x([0-9a-fA-F]+)\\s*$");
        boolean in = false;
        String current = null;
        for (String line : Files.readAllLines(yaml)) {
            if (line.equals("pcrs:")) {
                in = true;
            } else if (in) {
                Matcher m = bank.matcher(line);
                Matcher p = pcr.matcher(line);
                if (m.matches()) {
                    current = m.group(1);
                    banks.put(current, new TreeMap<>());
                } else if (p.matches()) {
                    banks.get(current).put(Integer.parseInt(p.group(1)), p.group(2).toLowerCase());
                }
            }
        }
        List<String> parts = new ArrayList<>();
        banks.forEach((b, m) -> {
            List<String> vals = new ArrayList<>();
            m.forEach((i, v) -> vals.add("\"" + i + "\":\"" + v + "\""));
            parts.add("\"" + b + "\":{" + String.join(",", vals) + "}");
        });
        return "{\"pcrs\":{" + String.join(",", parts) + "}}";
    }

    private static int bankOrder(String b) {
        return List.of("sha1", "sha256", "sha384", "sha512").indexOf(b);
    }

    @Test
    void replayJsonMatchesTpm2EventlogForEveryLog() throws Exception {
        for (Path log : logs()) {
            Cli c = Cli.run("eventlog", "replay", "--json", log);
            assertEquals(0, c.code(), log + ": " + c);
            assertEquals(expectedJson(log.resolveSibling(log.getFileName() + ".expected.yaml")), c.out().strip(),
                    log.getFileName().toString());
        }
    }

    @Test
    void dumpPrintsEveryEvent() throws Exception {
        Path log = logsDir().resolve("event-uefivar.bin");
        Cli c = Cli.run("eventlog", "dump", log);
        assertEquals(0, c.code(), c.toString());
        assertTrue(c.out().contains("1  PCR 7  EV_EFI_VARIABLE_DRIVER_CONFIG"), c.out());
        assertTrue(c.out().contains("ccfc4bb32888a345bc8aeadaba552b627d99348c767681ab3141f5b01e40a40e"), c.out());
        for (Path l : logs()) {
            assertEquals(0, Cli.run("eventlog", "dump", l).code(), l.toString());
        }
    }

    @Test
    void malformedLogIsExit2WithOneLineNamingTheOffset(@TempDir Path dir) throws Exception {
        byte[] b = Files.readAllBytes(logsDir().resolve("event-uefiaction.bin"));
        Path bad = dir.resolve("bad.bin");
        Files.write(bad, java.util.Arrays.copyOf(b, b.length - 1));
        Cli c = Cli.run("eventlog", "replay", "--json", bad);
        assertEquals(2, c.code(), c.toString());
        assertEquals("", c.out());
        assertEquals(1, c.err().strip().lines().count(), c.err());
        assertTrue(c.err().contains("event 1 at offset 0x4d: eventSize 40 exceeds remaining 39 bytes"), c.err());
        Cli v = Cli.run("eventlog", "replay", "--json", "--verbose", bad);
        assertTrue(v.err().lines().count() > 1, "stack trace with --verbose");
        Cli missing = Cli.run("eventlog", "replay", dir.resolve("none.bin"));
        assertEquals(2, missing.code(), missing.toString());
    }

    /** A DRTM log with a guest record: the dump decodes it, in text and in JSON. */
    @Test
    void dumpDecodesGuestRecords(@TempDir Path dir) throws Exception {
        byte[] image = new byte[32];
        byte[] signer = new byte[32];
        image[0] = 0x11;
        signer[31] = 0x22;
        io.trustbit.measure.GuestRecord g = new io.trustbit.measure.GuestRecord(
                io.trustbit.measure.GuestRecord.REFUSED, 3, image, signer, 9, "rogue");
        byte[] log = new io.trustbit.measure.EventLogWriter(
                        List.of(io.trustbit.measure.HashAlg.SHA1, io.trustbit.measure.HashAlg.SHA256))
                .extendData(19, io.trustbit.measure.EventType.TB_GUEST, g.encode()).toByteArray();
        Path f = dir.resolve("drtm.bin");
        Files.write(f, log);
        Cli text = Cli.run("eventlog", "dump", f);
        assertEquals(0, text.code(), text.toString());
        assertTrue(text.out().contains("guest  rogue REFUSED, image sha256 11000000"), text.out());
        assertTrue(text.out().contains("security version 9, reason 3"), text.out());
        Cli json = Cli.run("eventlog", "dump", "--json", f);
        assertEquals(0, json.code(), json.toString());
        assertTrue(json.out().contains("\"guest\":{\"name\":\"rogue\",\"decision\":\"refused\",\"reason\":3,"), json.out());
        assertTrue(json.out().contains("\"securityVersion\":9}"), json.out());
    }
}
