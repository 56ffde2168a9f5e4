package io.trustbit.attest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DRTM log of a Linux guest: found through the VMM's command-line word, read at its address. */
class EventLogsTest {
    @TempDir Path dir;

    private Path mem() throws IOException {
        byte[] m = new byte[0x3000];
        for (int i = 0; i < m.length; i++) {
            m[i] = (byte) i;
        }
        return Files.write(dir.resolve("mem"), m);
    }

    private Path cmdline(String text) throws IOException {
        return Files.writeString(dir.resolve("cmdline"), text + "\n");
    }

    @Test
    void readsTheRangeTheLastWordNames() throws IOException {
        Path mem = mem();
        byte[] want = Arrays.copyOfRange(Files.readAllBytes(mem), 0x1010, 0x1010 + 0x29b);
        byte[] got = EventLogs.vmmDrtmLog(cmdline("console=ttyS0 trustbit.drtm_log=0x0,0x10 quiet "
                + "trustbit.drtm_log=0x1010,0x29b"), mem).orElseThrow();
        assertArrayEquals(want, got);
    }

    @Test
    void noWordNoLog() throws IOException {
        assertTrue(EventLogs.vmmDrtmLog(cmdline("console=ttyS0 quiet"), mem()).isEmpty());
        assertTrue(EventLogs.vmmDrtmLog(dir.resolve("absent"), mem()).isEmpty());
    }

    @Test
    void malformedOrOversizedWordsAndShortMemoryAreErrors() throws IOException {
        Path mem = mem();
        for (String bad : new String[] {"trustbit.drtm_log=", "trustbit.drtm_log=1010,29b", "trustbit.drtm_log=0x10",
                "trustbit.drtm_log=0x10,0x10,", "trustbit.drtm_log=0xG,0x1", "trustbit.drtm_log=0x10,0x123456789",
                "trustbit.drtm_log=0x0,0x1000001", "trustbit.drtm_log=0xffffffffffffffff,0x10"}) {
            assertThrows(IOException.class, () -> EventLogs.vmmDrtmLog(cmdline(bad), mem), bad);
        }
        IOException e = assertThrows(IOException.class,
                () -> EventLogs.vmmDrtmLog(cmdline("trustbit.drtm_log=0x2ff0,0x20"), mem));
        assertTrue(e.getMessage().contains("ends early"), e.getMessage());
        assertEquals(0, EventLogs.vmmDrtmLog(cmdline("trustbit.drtm_log=0x10,0x0"), mem).orElseThrow().length);
    }
}
