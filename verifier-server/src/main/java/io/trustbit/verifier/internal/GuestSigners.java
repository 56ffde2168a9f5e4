package io.trustbit.verifier.internal;

import io.trustbit.measure.GuestRecord;
import io.trustbit.verifier.Policy;
import io.trustbit.verifier.internal.VerdictSigner.Reason;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The policy's rules for a launched guest's signer (docs/verifier.md "Signer rotation and revocation"): the
 * signer must be allowed and not retired, and the security version must reach both the signer's minimum and
 * the fleet's. The appraisal applies them to verified PCR 19 records; the node list applies them to the
 * guests a node ran at its last appraisal, to show which nodes the next attestation will contraindicate.
 */
final class GuestSigners {
    private GuestSigners() {}

    /** Every rule {@code g} (a launched guest) breaks under {@code policy}; empty when it is allowed. */
    static List<Reason> failures(Policy policy, GuestRecord g) {
        List<Reason> out = new ArrayList<>();
        String keyId = HexFormat.of().formatHex(g.signerKeyId());
        String retired = policy.retiredSigners().get(keyId);
        if (retired != null) {
            out.add(new Reason(Check.POLICY_SIGNER_RETIRED, "guest '" + g.name() + "' signer " + keyId + " is retired: " + retired));
            return out;
        }
        // A Linux guest (record version 2) answers to guests.linuxSigners when the policy has them.
        Long min = (g.isLinux() && !policy.linuxSigners().isEmpty() ? policy.linuxSigners() : policy.signers()).get(keyId);
        if (min == null) {
            out.add(new Reason(Check.POLICY_GUEST, "guest '" + g.name() + "' signer " + keyId + " is not allowed"));
        } else if (g.securityVersion() < policy.fleetMinSecurityVersion()) {
            out.add(new Reason(Check.POLICY_GUEST, "guest '" + g.name() + "' security version " + g.securityVersion()
                    + " is below the fleet minimum " + policy.fleetMinSecurityVersion()));
        } else if (g.securityVersion() < min) {
            out.add(new Reason(Check.POLICY_GUEST, "guest '" + g.name() + "' security version " + g.securityVersion()
                    + " is below " + min));
        }
        return out;
    }

    /** The launched guests as stored for the node list: one {@code name keyId securityVersion linux} line each. */
    static String encode(List<GuestRecord> guests) {
        StringBuilder b = new StringBuilder();
        for (GuestRecord g : guests) {
            b.append(g.name()).append(' ').append(HexFormat.of().formatHex(g.signerKeyId())).append(' ')
                    .append(g.securityVersion()).append(' ').append(g.isLinux() ? 1 : 0).append('\n');
        }
        return b.toString();
    }

    /** What {@link #encode} wrote, as records with only the fields the rules read (name, signer, version, kind). */
    static List<GuestRecord> decode(String text) {
        List<GuestRecord> out = new ArrayList<>();
        byte[] zero = new byte[32];
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split(" ");
            if (f.length != 4) {
                throw new IllegalStateException("stored guest line is malformed: " + line);
            }
            byte[] linux = "1".equals(f[3]) ? zero : null;
            out.add(new GuestRecord(GuestRecord.LAUNCHED, 0, zero, HexFormat.of().parseHex(f[1]), Long.parseLong(f[2]), f[0],
                    linux, linux));
        }
        return out;
    }
}
