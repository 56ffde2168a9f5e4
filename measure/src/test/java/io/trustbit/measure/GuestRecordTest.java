package io.trustbit.measure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The 128-byte PCR 19 guest record: encode/parse round trip and every malformed field refused. */
class GuestRecordTest {
    private static GuestRecord sample() {
        byte[] image = new byte[32];
        byte[] signer = new byte[32];
        Arrays.fill(image, (byte) 0xA5);
        Arrays.fill(signer, (byte) 0x5A);
        return new GuestRecord(GuestRecord.REFUSED, 7, image, signer, 42, "tpm-proxy");
    }

    @Test
    void roundTrip() throws FormatException {
        GuestRecord g = sample();
        byte[] enc = g.encode();
        assertEquals(GuestRecord.SIZE, enc.length);
        GuestRecord back = GuestRecord.parse(enc);
        assertEquals(g.decision(), back.decision());
        assertEquals(7, back.reason());
        assertEquals(42, back.securityVersion());
        assertEquals("tpm-proxy", back.name());
        assertArrayEquals(g.imageSha256(), back.imageSha256());
        assertArrayEquals(g.signerKeyId(), back.signerKeyId());
    }

    @Test
    void everyTruncationAndExtensionIsRefused() {
        byte[] enc = sample().encode();
        for (int n = 0; n < enc.length; n++) {
            byte[] cut = Arrays.copyOf(enc, n);
            assertThrows(FormatException.class, () -> GuestRecord.parse(cut), "length " + n);
        }
        assertThrows(FormatException.class, () -> GuestRecord.parse(Arrays.copyOf(enc, enc.length + 1)));
    }

    @Test
    void linuxRecordRoundTripAndTruncations() throws FormatException {
        GuestRecord s = sample();
        byte[] initrd = new byte[32];
        byte[] cmdline = new byte[32];
        Arrays.fill(initrd, (byte) 0x33);
        Arrays.fill(cmdline, (byte) 0x44);
        GuestRecord g = new GuestRecord(GuestRecord.LAUNCHED, 0, s.imageSha256(), s.signerKeyId(), 4, "lx", initrd, cmdline);
        byte[] enc = g.encode();
        assertEquals(GuestRecord.LINUX_SIZE, enc.length);
        assertEquals(g, GuestRecord.parse(enc));
        for (int n = 0; n < enc.length; n++) {
            byte[] cut = Arrays.copyOf(enc, n);
            assertThrows(FormatException.class, () -> GuestRecord.parse(cut), "length " + n);
        }
        assertThrows(FormatException.class, () -> GuestRecord.parse(Arrays.copyOf(enc, enc.length + 1)));
        byte[] v1 = enc.clone();
        v1[4] = 1;                                                    // version 1 with 64 bytes too many
        assertThrows(FormatException.class, () -> GuestRecord.parse(v1));
    }

    @Test
    void malformedFieldsAreRefusedWithTheirName() {
        // offset, new byte value, field named in the message
        Object[][] cases = {
            {0, 'X', "magic"}, {4, 3, "version"}, {4, 2, "initrd SHA-256"}, {8, 3, "decision"}, {8, 0, "decision"},
            {84, 1, "reserved"}, {95, 1, "reserved"}, {96, 'A', "name"}, {96, 0, "name"}, {110, 'x', "padding"},
        };
        for (Object[] c : cases) {
            byte[] enc = sample().encode();
            int off = (Integer) c[0];
            enc[off] = (byte) (c[1] instanceof Character ch ? ch : (Integer) c[1]);
            FormatException e = assertThrows(FormatException.class, () -> GuestRecord.parse(enc), "offset " + off);
            assertTrue(e.getMessage().contains((String) c[2]), e.getMessage());
        }
    }
}
