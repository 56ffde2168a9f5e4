package io.trustbit.measure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** PCR 18 with the VMM's DMA-protection record, computed here from docs/launch-protocol.md alone. */
class DmaProtectionTest {
    private static final byte[] SLB = slb();
    private static final byte[] VMM = "vmm image".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONFIG = config();

    private static byte[] slb() {
        byte[] s = new byte[64];
        s[2] = 64;                                  // header word 1: measured length
        return s;
    }

    /** docs/launch-protocol.md "Launch configuration blob": one signer (the Ed25519 base point), no command line. */
    private static byte[] config() {
        byte[] c = new byte[8 + 40 + 2];
        System.arraycopy("TBLC".getBytes(StandardCharsets.US_ASCII), 0, c, 0, 4);
        c[4] = 1;                                   // version
        c[6] = 1;                                   // one signer
        c[8] = 0x58;                                // public key: 58 66 66 ... 66
        Arrays.fill(c, 9, 40, (byte) 0x66);
        return c;
    }

    private static byte[] extend(String alg, byte[] pcr, byte[] data) throws Exception {
        MessageDigest md = MessageDigest.getInstance(alg);
        byte[] d = md.digest(data);
        md.update(pcr);
        md.update(d);
        return md.digest();
    }

    private static byte[] expected18(String alg, int size, String dmaText) throws Exception {
        byte[] pcr = new byte[size];
        pcr = extend(alg, pcr, "launch-type=skinit".getBytes(StandardCharsets.US_ASCII));
        pcr = extend(alg, pcr, CONFIG);
        return extend(alg, pcr, dmaText.getBytes(StandardCharsets.US_ASCII));
    }

    private static PcrValues predict(DmaProtection d) throws Exception {
        return ExpectedMeasurements.builder().slb(SLB).vmm(VMM).launchConfig(CONFIG).dmaProtection(d).build()
                .pcrValues();
    }

    @Test
    void pcr18EndsWithTheDmaProtectionTextInBothBanks() throws Exception {
        for (DmaProtection d : DmaProtection.values()) {
            PcrValues v = predict(d);
            assertArrayEquals(expected18("SHA-256", 32, d.eventText()), v.get(HashAlg.SHA256, 18).orElseThrow(), d.name());
            assertArrayEquals(expected18("SHA-1", 20, d.eventText()), v.get(HashAlg.SHA1, 18).orElseThrow(), d.name());
        }
        assertFalse(Arrays.equals(predict(DmaProtection.IOMMU).get(HashAlg.SHA256, 18).orElseThrow(),
                predict(DmaProtection.NONE).get(HashAlg.SHA256, 18).orElseThrow()));
    }

    @Test
    void theDefaultIsTheIommu() throws Exception {
        PcrValues v = ExpectedMeasurements.builder().slb(SLB).vmm(VMM).launchConfig(CONFIG).build().pcrValues();
        assertArrayEquals(predict(DmaProtection.IOMMU).get(HashAlg.SHA256, 18).orElseThrow(),
                v.get(HashAlg.SHA256, 18).orElseThrow());
    }

    @Test
    void eventTextsAreExactAndNamesRoundTrip() {
        assertEquals("dma-protection=iommu default=deny guests=own-memory", DmaProtection.IOMMU.eventText());
        assertEquals("dma-protection=none", DmaProtection.NONE.eventText());
        for (DmaProtection d : DmaProtection.values()) {
            assertEquals(d, DmaProtection.fromName(d.cliName()).orElseThrow());
            assertEquals(d, DmaProtection.fromEventText(d.eventText()).orElseThrow());
            assertTrue(d.eventText().startsWith(DmaProtection.EVENT_PREFIX));
        }
        assertTrue(DmaProtection.fromEventText("dma-protection=iommu").isEmpty());
        assertTrue(DmaProtection.fromName("IOMMU").isEmpty());
    }
}
