package io.trustbit.verifier.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.measure.HashAlg;
import io.trustbit.measure.PcrValues;
import io.trustbit.measure.UntrustedEventLog;
import io.trustbit.measure.VerifiedEventLog;
import io.trustbit.verifier.DrtmChain;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The launch chain the dashboard shows, read from a verified DRTM log; digests computed here independently. */
class LaunchChainTest {
    private static final HexFormat HEX = HexFormat.of();

    private static VerifiedEventLog verified(DrtmChain chain) throws Exception {
        PcrValues.Builder ref = PcrValues.builder();
        Map<Integer, byte[]> sha256 = chain.pcrs().get(HashAlg.SHA256);
        for (int pcr : List.of(17, 18, 19)) {
            ref.put(HashAlg.SHA256, pcr, sha256.get(pcr));
        }
        return UntrustedEventLog.parse(chain.eventLog()).verifyAgainst(ref.build());
    }

    @Test
    void slbVmmLaunchAndEveryGuestWithItsSignerOrItsRefusal() throws Exception {
        DrtmChain chain = new DrtmChain();
        chain.refusedGuest = true;
        chain.linuxGuest = true;
        LaunchChain c = LaunchChain.of(verified(chain), HashAlg.SHA256);
        assertEquals("sha256", c.bank());
        assertEquals(HEX.formatHex(HashAlg.SHA256.digest(chain.slb)), c.slb());
        assertEquals(HEX.formatHex(HashAlg.SHA256.digest(chain.vmm)), c.vmm());
        assertEquals("skinit", c.launchType());
        assertEquals(List.of(HEX.formatHex(HashAlg.SHA256.digest(chain.launchConfig))), c.launchConfig());
        assertTrue(c.dmaProtection().startsWith("dma-protection=iommu"), c.dmaProtection());
        assertEquals(2, c.guests().size());
        LaunchChain.Guest first = c.guests().get(0);
        assertEquals("guest1", first.name());
        assertEquals("launched", first.decision());
        assertEquals(HEX.formatHex(chain.signerKeyId), first.signerKeyId());
        assertEquals(3L, first.securityVersion());
        assertTrue(first.linux());
        assertNull(first.reason());
        LaunchChain.Guest refused = c.guests().get(1);
        assertEquals("guest2", refused.name());
        assertEquals("refused", refused.decision());
        assertEquals(7L, refused.reason());
    }

    @Test
    void aLaunchWithoutDmaRecordOrGuestsShowsWhatIsThere() throws Exception {
        DrtmChain chain = new DrtmChain();
        chain.dma = null;
        LaunchChain c = LaunchChain.of(verified(chain), HashAlg.SHA256);
        assertNull(c.dmaProtection());
        assertEquals(1, c.launchConfig().size());
        assertEquals(1, c.guests().size());
    }
}
