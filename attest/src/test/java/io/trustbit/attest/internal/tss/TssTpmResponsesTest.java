package io.trustbit.attest.internal.tss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.attest.TpmTransport;
import io.trustbit.attest.TpmTransports;
import io.trustbit.attest.tpm2.KeyTemplates;
import io.trustbit.attest.tpm2.PcrSelection;
import io.trustbit.testkit.Swtpm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TssTpm} against a real swtpm, directly and through a transport that alters one command's real
 * response the way a faulty or hostile TPM (or a bus interposer) could: every altered response is refused with
 * a {@link TpmCommandException} naming the command, and an NV read never returns a partly filled buffer.
 */
class TssTpmResponsesTest {
    /** An owner-defined NV index, authorized by its own empty password (TCG handle range for owner indices). */
    private static final int NV_INDEX = 0x01500016;
    /** More than two NV_Read chunks of 512 bytes. */
    private static final int NV_SIZE = 1100;
    private static final int CC_NV_READ = 0x14E;
    private static final int CC_READ_PUBLIC = 0x173;
    private static final int CC_PCR_READ = 0x17E;

    @TempDir
    static Path dir;
    static Swtpm swtpm;
    static byte[] nvContents;

    @BeforeAll
    static void start() throws Exception {
        swtpm = Swtpm.start(dir.resolve("swtpm"));
        nvContents = new byte[NV_SIZE];
        new Random(14).nextBytes(nvContents);
        Path data = dir.resolve("nv.bin");
        Files.write(data, nvContents);
        // written with tpm2-tools, read with trustbit: the contents cross-check the chunked read
        tool("tpm2_nvdefine", "-C", "o", "-s", String.valueOf(NV_SIZE), "-a", "ownerwrite|ownerread|authwrite|authread",
                "0x" + Integer.toHexString(NV_INDEX));
        tool("tpm2_nvwrite", "-C", "o", "-i", data.toString(), "0x" + Integer.toHexString(NV_INDEX));
    }

    @AfterAll
    static void stop() {
        swtpm.close();
    }

    private static void tool(String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("tool.log").toFile());
        pb.environment().put("TPM2TOOLS_TCTI", swtpm.tcti());
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0,
                () -> String.join(" ", cmd) + " failed: " + read(dir.resolve("tool.log")));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** The real swtpm transport with {@code alter} applied to the responses of one command code. */
    private static TpmTransport altering(int commandCode, UnaryOperator<byte[]> alter) throws IOException {
        TpmTransport inner = TpmTransports.open(swtpm.spec());
        return new TpmTransport() {
            @Override
            public byte[] transmit(byte[] command) throws IOException {
                byte[] resp = inner.transmit(command);
                return u32(command, 6) == commandCode ? alter.apply(resp) : resp;
            }

            @Override
            public String describe() {
                return inner.describe();
            }

            @Override
            public void close() throws IOException {
                inner.close();
            }
        };
    }

    private static int u32(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }

    private static void putU32(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    /**
     * An NV_Read response (header ‖ parameterSize ‖ data TPM2B ‖ session) holding {@code drop} fewer data bytes,
     * with responseSize, parameterSize and data.size all made consistent: only the length is a lie.
     */
    private static byte[] shortNvRead(byte[] resp, int drop) {
        int dataSize = (resp[14] & 0xFF) << 8 | (resp[15] & 0xFF);
        byte[] out = new byte[resp.length - drop];
        System.arraycopy(resp, 0, out, 0, 16 + dataSize - drop);
        System.arraycopy(resp, 16 + dataSize, out, 16 + dataSize - drop, resp.length - 16 - dataSize);
        putU32(out, 2, out.length);
        putU32(out, 10, u32(resp, 10) - drop);
        out[14] = (byte) ((dataSize - drop) >>> 8);
        out[15] = (byte) (dataSize - drop);
        return out;
    }

    @Test
    void readsAnNvIndexWrittenByTpm2Tools() throws Exception {
        try (TssTpm tpm = new TssTpm(TpmTransports.open(swtpm.spec()))) {
            assertArrayEquals(nvContents, tpm.readNv(NV_INDEX).orElseThrow());
            assertTrue(tpm.readNv(NV_INDEX + 1).isEmpty(), "an undefined index is absent, not an error");
        }
    }

    @Test
    void aShortNvReadFailsInsteadOfLeavingZeros() throws Exception {
        try (TssTpm tpm = new TssTpm(altering(CC_NV_READ, resp -> shortNvRead(resp, 12)))) {
            TpmCommandException e = assertThrows(TpmCommandException.class, () -> tpm.readNv(NV_INDEX));
            assertEquals("TPM2_NV_Read: malformed response: TPM2_NV_Read.parameters.data.size at offset 0: short read: 500"
                    + " bytes of the 512 asked for", e.getMessage());
        }
    }

    @Test
    void truncatedAndInconsistentResponsesAreRefused() throws Exception {
        List<UnaryOperator<byte[]>> lies = List.of(
                resp -> Arrays.copyOf(resp, resp.length - 1),                       // responseSize now too large
                resp -> {                                                          // consistent header, cut parameters
                    byte[] cut = Arrays.copyOf(resp, 14);
                    putU32(cut, 2, cut.length);
                    return cut;
                },
                resp -> {                                                          // outPublic.size overruns the rest
                    byte[] big = resp.clone();
                    big[10] = (byte) 0x0F;
                    return big;
                });
        for (UnaryOperator<byte[]> lie : lies) {
            try (TssTpm tpm = new TssTpm(altering(CC_READ_PUBLIC, lie))) {
                int ek = tpm.createPrimaryEndorsement(KeyTemplates.ekEccP256().encoded()).handle();
                try {
                    TpmCommandException e = assertThrows(TpmCommandException.class, () -> tpm.readPublic(ek));
                    assertTrue(e.getMessage().startsWith("TPM2_ReadPublic: malformed response: "), e.getMessage());
                } finally {
                    tpm.flush(ek);
                }
            }
        }
        // PCR_Read answering with one digest fewer than it selected
        try (TssTpm tpm = new TssTpm(altering(CC_PCR_READ, resp -> {
            byte[] out = Arrays.copyOf(resp, resp.length - 34);
            putU32(out, 2, out.length);
            return out;
        }))) {
            TpmCommandException e = assertThrows(TpmCommandException.class, () -> tpm.pcrRead(PcrSelection.parse("sha256:0-2")));
            assertTrue(e.getMessage().startsWith("TPM2_PCR_Read: malformed response: "), e.getMessage());
        }
    }
}
