package io.trustbit.verifier.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.trustbit.measure.GuestRecord;
import io.trustbit.verifier.Policy;
import io.trustbit.verifier.internal.VerdictSigner.Reason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The policy's rules for a launched guest's signer (docs/verifier.md "Signer rotation and revocation"): the
 * signer must be allowed and not retired, and the security version must reach both the signer's minimum and
 * the fleet's. The appraisal applies them to verified PCR 19 records; the node list applies them to the
 * guests of a node's last proven launch chain, to show which nodes the next attestation will contraindicate.
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

    /**
     * The launched guests of a stored launch chain ({@link LaunchChain} as JSON), as records with only the fields
     * the rules read (name, signer, security version, kind); refused and unreadable records are left out, as the
     * appraisal leaves them out of the signer rules.
     */
    static List<GuestRecord> launched(String chainJson) {
        List<GuestRecord> out = new ArrayList<>();
        byte[] zero = new byte[32];
        for (JsonNode g : Json.tree(chainJson.getBytes(StandardCharsets.UTF_8)).path("guests")) {
            if (!"launched".equals(g.path("decision").asText()) || g.hasNonNull("error")) {
                continue;
            }
            byte[] linux = g.path("linux").asBoolean() ? zero : null;
            out.add(new GuestRecord(GuestRecord.LAUNCHED, 0, zero, HexFormat.of().parseHex(g.path("signerKeyId").asText()),
                    g.path("securityVersion").asLong(), g.path("name").asText(), linux, linux));
        }
        return out;
    }
}
