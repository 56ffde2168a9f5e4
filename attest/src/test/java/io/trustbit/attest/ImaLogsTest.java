package io.trustbit.attest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.attest.tpm2.ClockInfo;
import io.trustbit.attest.tpm2.PcrSelection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's choice of IMA entries to send, and the evidence field that carries them. */
class ImaLogsTest {
    @TempDir
    Path dir;

    private static final ClockInfo BOOT_7 = new ClockInfo(1000, 7, 1, true);

    @Test
    void sendsTheTailOfTheSameBootAndTheWholeListOtherwise() throws Exception {
        byte[] list = new byte[300];
        for (int i = 0; i < list.length; i++) {
            list[i] = (byte) i;
        }
        Path f = Files.write(dir.resolve("list"), list);
        ImaTail tail = ImaLogs.tail(f, Optional.of(new ImaPosition(7L, 1L, 4, 120)), BOOT_7);
        assertEquals(4, tail.firstEntry());
        assertEquals(120, tail.byteOffset());
        assertArrayEquals(Arrays.copyOfRange(list, 120, 300), tail.log());
        // another boot (reset or restart count), nothing appraised yet, or a file shorter than the position: all of it
        for (ImaPosition p : new ImaPosition[] {new ImaPosition(8L, 1L, 4, 120), new ImaPosition(7L, 2L, 4, 120),
                ImaPosition.start(), new ImaPosition(7L, 1L, 9, 301)}) {
            ImaTail whole = ImaLogs.tail(f, Optional.of(p), BOOT_7);
            assertEquals(0, whole.firstEntry(), p.toString());
            assertArrayEquals(list, whole.log(), p.toString());
        }
        // exactly at the end: nothing new
        assertEquals(0, ImaLogs.tail(f, Optional.of(new ImaPosition(7L, 1L, 9, 300)), BOOT_7).log().length);
    }

    @Test
    void aTailOverTheLimitIsAnError() throws Exception {
        Path f = Files.write(dir.resolve("big"), new byte[EvidenceCodec.MAX_IMA_LOG_BYTES + 1]);
        IOException e = assertThrows(IOException.class, () -> ImaLogs.tail(f, Optional.empty(), BOOT_7));
        assertTrue(e.getMessage().contains("more than " + EvidenceCodec.MAX_IMA_LOG_BYTES), e.getMessage());
    }

    @Test
    void pcr10JoinsEveryBank() {
        assertEquals(PcrSelection.parse("sha1:10,17+sha256:0-7,10,17-23"),
                ImaLogs.withImaPcr(PcrSelection.parse("sha1:17+sha256:0-7,17-23")));
    }

    @Test
    void theEvidenceFieldRoundTripsAndIsCheckedNamingTheField() throws Exception {
        Evidence s = EvidenceCodecTest.sample();
        Evidence e = new Evidence(1, s.node(), s.nonce(), s.akPublic(), s.quoteAttest(), s.quoteSignature(), s.pcrs(),
                s.eventLogs(), s.producedAt(), new ImaTail(5, 612, new byte[] {9, 8, 7}));
        String json = new String(EvidenceCodec.toJson(e), StandardCharsets.UTF_8);
        assertTrue(json.endsWith(",\"ima\":{\"firstEntry\":5,\"byteOffset\":612,\"log\":\"CQgH\"}}"), json);
        Evidence back = EvidenceCodec.parse(json.getBytes(StandardCharsets.UTF_8));
        assertEquals(5, back.ima().firstEntry());
        assertEquals(612, back.ima().byteOffset());
        assertArrayEquals(new byte[] {9, 8, 7}, back.ima().log());
        Map<String, String> bad = Map.of(
                "\"firstEntry\":5", "\"firstEntry\":-1",
                "\"byteOffset\":612", "\"byteOffset\":0",
                "\"log\":\"CQgH\"", "\"log\":\"CQg\"",
                "\"firstEntry\":5,", "\"firstEntry\":5,\"extra\":1,");
        Map<String, String> expected = Map.of(
                "\"firstEntry\":-1", "ima.firstEntry must be an integer",
                "\"byteOffset\":0", "ima.firstEntry and ima.byteOffset must both be 0 or both positive",
                "\"log\":\"CQg\"", "ima.log is not padded standard base64",
                "\"firstEntry\":5,\"extra\":1,", "ima.extra is not a known field");
        for (Map.Entry<String, String> b : bad.entrySet()) {
            String m = json.replace(b.getKey(), b.getValue());
            EvidenceFormatException ex = assertThrows(EvidenceFormatException.class,
                    () -> EvidenceCodec.parse(m.getBytes(StandardCharsets.UTF_8)), m);
            assertTrue(ex.getMessage().contains(expected.get(b.getValue())), ex.getMessage());
        }
        assertEquals(null, EvidenceCodec.parse(EvidenceCodec.toJson(s)).ima());
    }
}
