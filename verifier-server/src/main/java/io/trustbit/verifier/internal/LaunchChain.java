package io.trustbit.verifier.internal;

import io.trustbit.measure.DmaProtection;
import io.trustbit.measure.FormatException;
import io.trustbit.measure.GuestRecord;
import io.trustbit.measure.HashAlg;
import io.trustbit.measure.VerifiedEvent;
import io.trustbit.measure.VerifiedEventLog;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * What a node's verified DRTM event log says about its launch (docs/formats.md "DRTM event log"), for the
 * dashboard: PCR 17's SLB and VMM digests, PCR 18's launch type, configuration digest and DMA-protection record,
 * PCR 19's guest records with their signers. Built only from events that replayed against the quoted PCRs in
 * the policy's bank; an event whose data is not what was measured is shown by its digest alone. It describes,
 * it does not judge: the verdict's reasons say what the policy made of it.
 */
public record LaunchChain(String bank, String slb, String vmm, String launchType, List<String> launchConfig,
        String dmaProtection, List<Guest> guests) {
    public LaunchChain {
        launchConfig = List.copyOf(launchConfig);
        guests = List.copyOf(guests);
    }

    /**
     * One PCR 19 record: a guest launched or refused (with the VMM's reason code), its image digest, signer key
     * id and security version; {@code error} instead when the record could not be read.
     */
    public record Guest(String name, String decision, Long reason, String imageSha256, String signerKeyId,
            Long securityVersion, boolean linux, String error) {}

    private static final HexFormat HEX = HexFormat.of();

    static LaunchChain of(VerifiedEventLog log, HashAlg bank) {
        List<VerifiedEvent> e17 = new ArrayList<>();
        List<VerifiedEvent> e18 = new ArrayList<>();
        List<VerifiedEvent> e19 = new ArrayList<>();
        for (VerifiedEvent e : log.events()) {
            if (!e.verifiedBanks().contains(bank)) {
                continue;
            }
            switch (e.pcrIndex()) {
                case 17 -> e17.add(e);
                case 18 -> e18.add(e);
                case 19 -> e19.add(e);
                default -> { }
            }
        }
        String slb = e17.size() > 0 ? hex(e17.get(0), bank) : null;
        String vmm = e17.size() > 1 ? hex(e17.get(1), bank) : null;
        String launchType = null;
        String dma = null;
        List<String> config = new ArrayList<>();
        for (VerifiedEvent e : e18) {
            String text = e.dataMatchesDigest() ? new String(e.data(), StandardCharsets.US_ASCII) : "";
            if (text.startsWith("launch-type=") && launchType == null) {
                launchType = printable(text.substring("launch-type=".length()));
            } else if (text.startsWith(DmaProtection.EVENT_PREFIX) && dma == null) {
                dma = printable(text);
            } else {
                config.add(hex(e, bank));
            }
        }
        List<Guest> guests = new ArrayList<>();
        for (VerifiedEvent e : e19) {
            guests.add(guest(e));
        }
        return new LaunchChain(bank.bankName(), slb, vmm, launchType, config, dma, guests);
    }

    private static Guest guest(VerifiedEvent e) {
        if (!e.dataMatchesDigest()) {
            return new Guest(null, null, null, null, null, null, false, "event " + e.index() + ": data is not what was measured");
        }
        try {
            GuestRecord g = GuestRecord.parse(e.data());
            return new Guest(g.name(), g.decision() == GuestRecord.LAUNCHED ? "launched" : "refused",
                    g.decision() == GuestRecord.LAUNCHED ? null : g.reason(), HEX.formatHex(g.imageSha256()),
                    HEX.formatHex(g.signerKeyId()), g.securityVersion(), g.isLinux(), null);
        } catch (FormatException ex) {
            return new Guest(null, null, null, null, null, null, false, printable(ex.getMessage()));
        }
    }

    private static String hex(VerifiedEvent e, HashAlg bank) {
        return HEX.formatHex(e.digests().get(bank));
    }

    private static String printable(String s) {
        String t = s.length() > 120 ? s.substring(0, 120) : s;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
