package io.trustbit.verifier.internal;

import io.trustbit.attest.ImaTail;
import io.trustbit.measure.FormatException;
import io.trustbit.measure.HashAlg;
import io.trustbit.measure.PcrValues;
import io.trustbit.measure.ReplayMismatchException;
import io.trustbit.measure.ima.ImaFinding;
import io.trustbit.measure.ima.ImaFormatException;
import io.trustbit.measure.ima.ImaReplayState;
import io.trustbit.measure.ima.RuntimePolicy;
import io.trustbit.measure.ima.UntrustedImaLog;
import io.trustbit.measure.ima.VerifiedImaLog;
import io.trustbit.verifier.internal.VerdictSigner.Reason;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The runtime half of an appraisal (docs/verifier.md "IMA"): the IMA entries the evidence brings are
 * replayed, from where this verifier's appraisal of the node's boot stands, to the quoted PCR 10 in every
 * bank it is quoted in; then every newly verified entry is appraised against the policy's runtime section.
 * Runs only on a quote whose signature, signer, nonce and PCR digest held. Pure computation: the stored
 * state comes in, the state to store goes out.
 */
final class ImaAppraisal {
    /** Policy findings listed one by one in a verdict; more are counted in one further reason. */
    static final int MAX_FINDINGS_LISTED = 16;

    private ImaAppraisal() {}

    /**
     * Appraises {@code tail} for a quote of the boot {@code resetCount}/{@code restartCount}, adding failures
     * to {@code fail} and the checks it evaluates to {@code ran}. Returns the state to store, or null if nothing may move on: any failure keeps the stored
     * state, so that an entry the policy refused is refused again by every later attestation of this boot.
     */
    static Store.ImaStateRow appraise(ImaTail tail, Map<HashAlg, ? extends Map<Integer, byte[]>> quoted, long resetCount,
            long restartCount, Store.ImaStateRow stored, RuntimePolicy policy, int maxListBytes, List<Reason> fail,
            Set<Check> ran) {
        ran.add(Check.IMA_LOG);
        if (tail == null) {
            fail.add(new Reason(Check.IMA_LOG, "the policy has a runtime section but the evidence has no IMA list"));
            return null;
        }
        PcrValues.Builder pcr10 = PcrValues.builder();
        Set<HashAlg> banks = EnumSet.noneOf(HashAlg.class);
        quoted.forEach((bank, values) -> {
            byte[] v = values.get(UntrustedImaLog.IMA_PCR);
            if (v != null) {
                pcr10.put(bank, UntrustedImaLog.IMA_PCR, v);
                banks.add(bank);
            }
        });
        if (banks.isEmpty()) {
            fail.add(new Reason(Check.IMA_LOG, "PCR " + UntrustedImaLog.IMA_PCR + " is not in the quote"));
            return null;
        }
        byte[] log = tail.log();
        if (log.length > maxListBytes) {
            fail.add(new Reason(Check.IMA_LOG, "IMA list exceeds " + maxListBytes + " bytes"));
            return null;
        }
        ran.add(Check.IMA_OFFSET);
        ImaReplayState start = ImaReplayState.initial(banks);
        long startByte = 0;
        if (stored != null && stored.resetCount() == resetCount && stored.restartCount() == restartCount) {
            try {
                start = ImaReplayState.decode(Base64.getDecoder().decode(stored.pcr()));
                startByte = stored.byteOffset();
            } catch (FormatException | IllegalArgumentException e) {
                fail.add(new Reason(Check.IMA_OFFSET, "the stored IMA state of this boot is unreadable"));
                return null;
            }
        }
        if (tail.firstEntry() != start.nextEntry() || tail.byteOffset() != startByte) {
            fail.add(new Reason(Check.IMA_OFFSET, "the IMA list starts at entry " + tail.firstEntry() + " (byte "
                    + tail.byteOffset() + ") but this verifier's appraisal of the boot stands at entry "
                    + start.nextEntry() + " (byte " + startByte + ")"));
            return null;
        }
        UntrustedImaLog untrusted;
        try {
            untrusted = UntrustedImaLog.parse(log, tail.firstEntry());
        } catch (ImaFormatException e) {
            fail.add(new Reason(Check.IMA_LOG, "malformed: " + e.getMessage()));
            return null;
        }
        ran.add(Check.IMA_PCR10);
        VerifiedImaLog verified;
        try {
            verified = untrusted.verifyAgainst(start, pcr10.build());
        } catch (ReplayMismatchException e) {
            List<String> which = new ArrayList<>();
            e.mismatches().forEach(m -> which.add(m.bank().bankName() + ":" + m.pcr()));
            fail.add(new Reason(Check.IMA_PCR10, "the IMA list does not replay to the quoted PCR 10 " + which
                    + " (an entry was edited, dropped, added or reordered)"));
            return null;
        } catch (IllegalArgumentException e) {
            fail.add(new Reason(Check.IMA_PCR10, "PCR 10 is quoted in a bank this boot's IMA replay does not track"));
            return null;
        }
        ran.add(Check.IMA_POLICY);
        List<ImaFinding> findings = policy.appraise(verified);
        for (int i = 0; i < findings.size() && i < MAX_FINDINGS_LISTED; i++) {
            fail.add(new Reason(Check.IMA_POLICY, findings.get(i).toString()));
        }
        if (findings.size() > MAX_FINDINGS_LISTED) {
            fail.add(new Reason(Check.IMA_POLICY, (findings.size() - MAX_FINDINGS_LISTED) + " more entries are not allowed"));
        }
        if (!findings.isEmpty()) {
            return null;
        }
        int covered = verified.entries().size();
        long end = tail.byteOffset() + (covered == untrusted.entries().size() ? log.length
                : untrusted.entries().get(covered).offset());
        ImaReplayState next = verified.end();
        return new Store.ImaStateRow(resetCount, restartCount, next.nextEntry(), end,
                Base64.getEncoder().encodeToString(next.encode()));
    }
}
