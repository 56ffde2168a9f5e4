package io.trustbit.verifier.internal;

import io.trustbit.attest.EventLogKind;
import io.trustbit.attest.Evidence;
import io.trustbit.attest.tpm2.ClockInfo;
import io.trustbit.attest.tpm2.PcrSelection;
import io.trustbit.attest.tpm2.QuoteSignatures;
import io.trustbit.attest.tpm2.Tpm2FormatException;
import io.trustbit.attest.tpm2.TpmsAttest;
import io.trustbit.attest.tpm2.TpmtPublic;
import io.trustbit.attest.tpm2.TpmtSignature;
import io.trustbit.measure.DmaProtection;
import io.trustbit.measure.EventLogFormatException;
import io.trustbit.measure.HashAlg;
import io.trustbit.measure.PcrValues;
import io.trustbit.measure.ReplayMismatchException;
import io.trustbit.measure.UntrustedEventLog;
import io.trustbit.measure.VerifiedEvent;
import io.trustbit.measure.VerifiedEventLog;
import io.trustbit.verifier.Policy;
import io.trustbit.verifier.internal.VerdictSigner.Reason;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The appraisal of one piece of evidence: every check of docs/verifier.md "Checks", then the policy.
 * The signer check compares qualifiedSigner with the AK's Qualified Name under the node's EK
 * ({@link QualifiedNames}), which a TPM reports for the AK our agent and tpm2_createak create. Pure computation (no I/O): the caller has already used the nonce and passes the outcome in. Checks do
 * not stop at the first failure where later ones still make sense; every failure is a reason. Event-log
 * and policy checks run only on a quote whose signature, signer, nonce, selection and digest held.
 */
public final class Appraiser {
    private static final long CLOCK_SKEW_SECONDS = 60;

    private final int maxEventLogBytes;

    public Appraiser(int maxEventLogBytes) {
        this.maxEventLogBytes = maxEventLogBytes;
    }

    /**
     * What the appraisal found. Counters are set only when the quote's signature verified. {@code checked}
     * names every check that was evaluated, in order (the ids reasons use); the checks of an affirming
     * result all passed. {@code imaState}: where the node's IMA appraisal stands now, to be stored; null when
     * it does not move (no runtime section, or a failure). {@code chain}: the launch chain read from the verified
     * DRTM log, its guests included (null when it was not verified).
     */
    public record Result(List<Reason> failures, List<Reason> warnings, Long resetCount, Long restartCount,
            List<Check> checked, Store.ImaStateRow imaState, LaunchChain chain) {
        public Result {
            failures = List.copyOf(failures);
            warnings = List.copyOf(warnings);
            checked = List.copyOf(checked);
            if (!failures.isEmpty()) {
                imaState = null;
            }
        }

        /** A result without verified guest records or launch chain (appraisal stopped before the DRTM log was verified). */
        public Result(List<Reason> failures, List<Reason> warnings, Long resetCount, Long restartCount, List<Check> checked) {
            this(failures, warnings, resetCount, restartCount, checked, null, null);
        }

        /** A result for which no check ran to its end (appraisal could not start): one failure. */
        public static Result refused(Check check, String detail) {
            return new Result(List.of(new Reason(check, detail)), List.of(), null, null, List.of());
        }

        public EarStatus status() {
            return !failures.isEmpty() ? EarStatus.CONTRAINDICATED
                    : !warnings.isEmpty() ? EarStatus.WARNING : EarStatus.AFFIRMING;
        }

        /**
         * Whether the evidence is proven to be the node's own answer to this verifier's challenge: no
         * {@link Check.Kind#AUTHENTICATION} check failed. Only such evidence may decide the node's state.
         */
        public boolean authenticated() {
            return failures.stream().noneMatch(r -> r.check().kind() == Check.Kind.AUTHENTICATION);
        }

        /**
         * The result once the counter check ran in the verdict's transaction ({@code forward}: the quote's
         * resetCount/restartCount did not go back); unchanged when the quote gave no counters.
         */
        public Result withCounters(boolean forward) {
            if (resetCount == null) {
                return this;
            }
            List<Reason> f = new ArrayList<>(failures);
            if (!forward) {
                f.add(new Reason(Check.CLOCK_COUNTERS, "resetCount/restartCount went backwards"));
            }
            List<Check> c = new ArrayList<>(checked);
            c.add(Check.CLOCK_COUNTERS);
            return new Result(f, warnings, resetCount, restartCount, c, imaState, chain);
        }

        /** Failures, then warnings: what a verdict lists. */
        public List<Reason> reasons() {
            List<Reason> all = new ArrayList<>(failures);
            all.addAll(warnings);
            return all;
        }
    }

    /** The outcome of using the evidence nonce in the store. */
    public enum NonceOutcome { OK, EXPIRED_OR_OTHER_NODE, UNKNOWN_OR_USED, MALFORMED }

    /** The nonce as the store keys it (64 lower-case hex digits); empty if it cannot be one of ours. */
    public static Optional<String> nonceHex(Evidence ev) {
        return ev.nonce().length == 32 ? Optional.of(HexFormat.of().formatHex(ev.nonce())) : Optional.empty();
    }

    /**
     * Appraises evidence that parsed as JSON, for an enrolled node whose EK and AK are the given public areas,
     * under {@code policy} (a policy, or the reason there is none).
     */
    public Result appraise(String nodeId, Evidence ev, byte[] ekPublic, byte[] akPublic, NonceOutcome nonce,
            PolicyRegistry.Lookup policy, Instant now) {
        EnrolledKeys keys;
        try {
            keys = EnrolledKeys.of(ekPublic, akPublic);
        } catch (Tpm2FormatException e) {
            keys = null;
        }
        return appraise(nodeId, ev, keys, nonce, policy, now);
    }

    /** As above, with the node's enrolled keys already parsed (see {@link EnrolledKeys.Cache}; null: unreadable). */
    public Result appraise(String nodeId, Evidence ev, EnrolledKeys keys, NonceOutcome nonce,
            PolicyRegistry.Lookup lookup, Instant now) {
        return appraise(nodeId, ev, keys, nonce, lookup, now, null);
    }

    /**
     * As above, continuing the appraisal of the node's IMA list from {@code storedIma} (null: this verifier
     * holds nothing for the node, so the list must start at entry 0).
     */
    public Result appraise(String nodeId, Evidence ev, EnrolledKeys keys, NonceOutcome nonce,
            PolicyRegistry.Lookup lookup, Instant now, Store.ImaStateRow storedIma) {
        Optional<Policy> found = lookup instanceof PolicyRegistry.Lookup.Found f
                ? Optional.of(f.policy()) : Optional.empty();
        List<Reason> fail = new ArrayList<>();
        List<Reason> warn = new ArrayList<>();
        Set<Check> ran = new LinkedHashSet<>();
        Long reset = null;
        Long restart = null;

        ran.add(Check.EVIDENCE_NODE);
        if (!nodeId.equals(ev.node().value())) {
            fail.add(new Reason(Check.EVIDENCE_NODE, "nodeId does not match the request path"));
        }
        ran.add(Check.NONCE);
        switch (nonce) {
            case OK -> { }
            case MALFORMED -> fail.add(new Reason(Check.NONCE, "nonce must be 32 bytes"));
            case EXPIRED_OR_OTHER_NODE -> fail.add(new Reason(Check.NONCE, "nonce expired or issued to another node"));
            case UNKNOWN_OR_USED -> fail.add(new Reason(Check.NONCE, "nonce unknown or already used"));
        }
        if (lookup instanceof PolicyRegistry.Lookup.Unavailable u) {
            fail.add(new Reason(Check.POLICY_UNAVAILABLE, u.reason()));
        }
        // without a policy the quote is still checked, against the defaults (the verdict fails policy.unavailable)
        HashAlg bank = found.map(Policy::bank).orElse(HashAlg.SHA256);
        SortedSet<Integer> policyPcrs = found.map(Policy::pcrsRead).orElse(new TreeSet<>(List.of(17, 18, 19)));

        ran.add(Check.EVIDENCE_AK);
        if (keys == null) {
            fail.add(new Reason(Check.EVIDENCE_AK, "enrolled EK or AK unreadable"));
            return new Result(fail, warn, null, null, List.copyOf(ran));
        }
        TpmtPublic ak = keys.ak();
        if (!keys.akPublicEquals(ev.akPublic())) {
            fail.add(new Reason(Check.EVIDENCE_AK, "akPublic is not the AK enrolled for this node"));
        }
        Instant produced = ev.producedAt();
        long maxAge = found.map(Policy::maxEvidenceAgeSeconds).orElse(300L);
        ran.add(Check.EVIDENCE_AGE);
        if (produced.isAfter(now.plusSeconds(CLOCK_SKEW_SECONDS))) {
            fail.add(new Reason(Check.EVIDENCE_AGE, "producedAt is in the future"));
        } else if (produced.isBefore(now.minusSeconds(maxAge))) {
            fail.add(new Reason(Check.EVIDENCE_AGE, "evidence older than " + maxAge + " s"));
        }

        // ---- the quote ----
        byte[] attestBytes = ev.quoteAttest();
        byte[] sigBytes = ev.quoteSignature();
        TpmsAttest attest;
        ran.add(Check.QUOTE_MAGIC);
        ran.add(Check.QUOTE_TYPE);
        try {
            attest = TpmsAttest.parse(attestBytes);
        } catch (Tpm2FormatException e) {
            String field = e.field().substring(e.field().lastIndexOf('.') + 1);
            Check check = field.equals("magic") ? Check.QUOTE_MAGIC : field.equals("type") ? Check.QUOTE_TYPE : Check.QUOTE_FORMAT;
            fail.add(new Reason(check, e.getMessage()));
            return new Result(fail, warn, null, null, List.copyOf(ran));
        }
        boolean quoteTrusted = true;
        ran.add(Check.QUOTE_SIGNATURE);
        try {
            TpmtSignature sig = TpmtSignature.parse(sigBytes);
            if (keys.preparedAk() != null) {
                QuoteSignatures.verify(keys.preparedAk(), attestBytes, sig);
            } else {
                QuoteSignatures.verify(ak, attestBytes, sig);
            }
        } catch (Tpm2FormatException e) {
            fail.add(new Reason(Check.QUOTE_SIGNATURE, "signature unreadable: " + e.getMessage()));
            quoteTrusted = false;
        } catch (GeneralSecurityException e) {
            fail.add(new Reason(Check.QUOTE_SIGNATURE, e.getMessage()));
            quoteTrusted = false;
        }
        if (quoteTrusted) {
            ClockInfo clock = attest.clockInfo();
            reset = clock.resetCount();
            restart = clock.restartCount();
            ran.add(Check.CLOCK_SAFE);
            if (!clock.safe()) {
                fail.add(new Reason(Check.CLOCK_SAFE, "clockInfo.safe is not set"));
            }
        }
        ran.add(Check.QUOTE_SIGNER);
        if (!keys.qualifiedNameEquals(attest.qualifiedSigner())) {
            fail.add(new Reason(Check.QUOTE_SIGNER, "qualifiedSigner is not the enrolled AK (qualified name under the EK)"));
            quoteTrusted = false;
        }
        if (nonce == NonceOutcome.OK) {
            if (!MessageDigest.isEqual(attest.extraData(), ev.nonce())) {
                fail.add(new Reason(Check.NONCE, "quote extraData is not the nonce"));
                quoteTrusted = false;
            }
        } else {
            quoteTrusted = false;
        }

        // ---- PCR values: supplied = signed selection, both ways; policy PCRs covered ----
        Map<HashAlg, Map<Integer, byte[]>> supplied = new EnumMap<>(HashAlg.class);
        ev.pcrs().forEach((alg, values) -> supplied.put(alg, values));
        PcrSelection selection = attest.pcrSelect();
        ran.add(Check.PCRS_SELECTION);
        if (!selectionMatches(selection, supplied)) {
            fail.add(new Reason(Check.PCRS_SELECTION, "supplied PCRs " + describe(supplied)
                    + " are not the quoted selection " + selection));
            quoteTrusted = false;
        }
        SortedSet<Integer> missing = new TreeSet<>(policyPcrs);
        missing.removeAll(selection.pcrs(bank));
        if (!missing.isEmpty()) {
            fail.add(new Reason(Check.PCRS_SELECTION, "policy PCRs " + missing + " of bank " + bank.bankName()
                    + " are not in the quote"));
            quoteTrusted = false;
        }
        if (quoteTrusted) {
            ran.add(Check.PCRS_DIGEST);
            HashAlg digestAlg = ak.schemeHash().orElse(ak.nameAlg());
            byte[] digest;
            try {
                digest = selection.digest(digestAlg, supplied);
            } catch (IllegalArgumentException e) {
                digest = null;
            }
            if (digest == null || !MessageDigest.isEqual(digest, attest.pcrDigest())) {
                fail.add(new Reason(Check.PCRS_DIGEST, "pcrDigest is not the hash of the supplied PCR values"));
                quoteTrusted = false;
            }
        }
        if (!quoteTrusted || found.isEmpty()) {
            return new Result(fail, warn, reset, restart, List.copyOf(ran));
        }
        Policy policy = found.get();

        // ---- from here the PCR values are the TPM's: replay the logs against them, then the policy ----
        Map<Integer, byte[]> quoted = supplied.get(bank);
        ran.add(Check.EVENTLOG_DRTM);
        VerifiedEventLog drtm = replay(ev.eventLogs().get(EventLogKind.DRTM), Check.EVENTLOG_DRTM, bank,
                quoted, List.of(17, 18, 19), true, fail, warn);
        if (ev.eventLogs().containsKey(EventLogKind.UEFI)) {
            List<Integer> fw = new ArrayList<>();
            for (int p = 0; p <= 7; p++) {
                if (quoted.containsKey(p)) {
                    fw.add(p);
                }
            }
            // without quoted firmware PCRs nothing could vouch for the log: it is not used at all
            if (!fw.isEmpty()) {
                ran.add(Check.EVENTLOG_UEFI);
                replay(ev.eventLogs().get(EventLogKind.UEFI), Check.EVENTLOG_UEFI, bank, quoted, fw, false, fail, warn);
            }
        }
        if (drtm != null) {
            new PolicyCheck(policy, bank, quoted, drtm, fail, warn, ran).run();
        }
        if (!policy.firmware().isEmpty()) {
            ran.add(Check.POLICY_FIRMWARE);
        }
        for (Map.Entry<Integer, List<byte[]>> fw : policy.firmware().entrySet()) {
            if (!contains(fw.getValue(), quoted.get(fw.getKey()))) {
                fail.add(new Reason(Check.POLICY_FIRMWARE, "PCR " + fw.getKey() + " is not an allowed value"));
            }
        }
        Store.ImaStateRow ima = null;
        if (policy.runtime() != null) {
            ima = ImaAppraisal.appraise(ev.ima(), supplied, reset, restart, storedIma, policy.runtime(),
                    io.trustbit.attest.EvidenceCodec.MAX_IMA_LOG_BYTES, fail, ran);
        }
        return new Result(fail, warn, reset, restart, List.copyOf(ran), ima,
                drtm == null ? null : LaunchChain.of(drtm, bank));
    }

    private VerifiedEventLog replay(byte[] log, Check check, HashAlg bank, Map<Integer, byte[]> quoted,
            List<Integer> pcrs, boolean required, List<Reason> fail, List<Reason> warn) {
        if (log == null) {
            if (required) {
                fail.add(new Reason(check, "event log missing"));
            }
            return null;
        }
        if (log.length > maxEventLogBytes) {
            fail.add(new Reason(check, "event log exceeds " + maxEventLogBytes + " bytes"));
            return null;
        }
        PcrValues.Builder ref = PcrValues.builder();
        for (int p : pcrs) {
            ref.put(bank, p, quoted.get(p));
        }
        try {
            VerifiedEventLog v = UntrustedEventLog.parse(log).verifyAgainst(ref.build());
            for (String q : v.appliedQuirks()) {
                warn.add(new Reason(check, "replayed only with the workaround " + q));
            }
            return v;
        } catch (EventLogFormatException e) {
            fail.add(new Reason(check, "malformed: " + e.getMessage()));
        } catch (ReplayMismatchException e) {
            List<String> which = new ArrayList<>();
            for (ReplayMismatchException.Mismatch m : e.mismatches()) {
                which.add(m.bank().bankName() + ":" + m.pcr());
            }
            fail.add(new Reason(check, "does not replay to the quoted PCRs " + which));
        } catch (RuntimeException e) {
            fail.add(new Reason(check, "unreadable"));
        }
        return null;
    }

    /** The policy's DRTM rules over verified events only (event types are never trusted nor used to skip). */
    private static final class PolicyCheck {
        private final Policy policy;
        private final HashAlg bank;
        private final Map<Integer, byte[]> quoted;
        private final VerifiedEventLog log;
        private final List<Reason> fail;
        private final List<Reason> warn;
        private final Set<Check> ran;

        PolicyCheck(Policy policy, HashAlg bank, Map<Integer, byte[]> quoted, VerifiedEventLog log, List<Reason> fail,
                List<Reason> warn, Set<Check> ran) {
            this.policy = policy;
            this.bank = bank;
            this.quoted = quoted;
            this.log = log;
            this.fail = fail;
            this.warn = warn;
            this.ran = ran;
        }

        void run() {
            List<VerifiedEvent> e17 = events(17);
            List<VerifiedEvent> e18 = events(18);
            List<VerifiedEvent> e19 = events(19);
            // PCR 17: the SLB (CPU measurement), then the VMM
            if (!policy.pcr17().isEmpty()) {
                ran.add(Check.POLICY_PCR17);
            }
            if (!policy.pcr17().isEmpty() && !contains(policy.pcr17(), quoted.get(17))) {
                fail.add(new Reason(Check.POLICY_PCR17, "PCR 17 is not an allowed SLB + VMM value"));
            }
            if (!policy.slb().isEmpty() || !policy.vmm().isEmpty()) {
                ran.add(Check.POLICY_PCR17);
                if (!policy.slb().isEmpty()) {
                    ran.add(Check.POLICY_SLB);
                }
                if (!policy.vmm().isEmpty()) {
                    ran.add(Check.POLICY_VMM);
                }
                if (e17.size() != 2) {
                    fail.add(new Reason(Check.POLICY_PCR17, "PCR 17 has " + e17.size() + " events, expected SLB and VMM"));
                } else {
                    if (!policy.slb().isEmpty() && !contains(policy.slb(), digest(e17.get(0)))) {
                        fail.add(new Reason(Check.POLICY_SLB, "SLB digest is not allowed"));
                    }
                    if (!policy.vmm().isEmpty() && !contains(policy.vmm(), digest(e17.get(1)))) {
                        fail.add(new Reason(Check.POLICY_VMM, "VMM digest is not allowed"));
                    }
                }
            }
            // PCR 18: the launch type (digest = hash of its text), then the launch configuration
            String launchType = null;
            int configEvents = 0;
            ran.add(Check.POLICY_LAUNCH_TYPE);
            if (!policy.launchConfig().isEmpty()) {
                ran.add(Check.POLICY_LAUNCH_CONFIG);
            }
            String dma = null;
            int dmaEvents = 0;
            for (VerifiedEvent e : e18) {
                String text = e.dataMatchesDigest() ? new String(e.data(), StandardCharsets.US_ASCII) : "";
                if (text.startsWith(DmaProtection.EVENT_PREFIX)) {
                    dma = text;
                    dmaEvents++;
                } else if (text.startsWith("launch-type=")) {
                    if (launchType != null) {
                        fail.add(new Reason(Check.POLICY_LAUNCH_TYPE, "PCR 18 has more than one launch type"));
                    }
                    launchType = text.substring("launch-type=".length());
                } else {
                    configEvents++;
                    if (!policy.launchConfig().isEmpty() && !contains(policy.launchConfig(), digest(e))) {
                        fail.add(new Reason(Check.POLICY_LAUNCH_CONFIG, "launch configuration digest is not allowed"));
                    }
                }
            }
            if (launchType == null) {
                fail.add(new Reason(Check.POLICY_LAUNCH_TYPE, "no verified launch type in PCR 18"));
            } else if (launchType.equals("emulated")) {
                if (!policy.allowEmulated()) {
                    fail.add(new Reason(Check.POLICY_LAUNCH_TYPE, "emulated launch, policy requires SKINIT"));
                }
            } else if (!launchType.equals("skinit")) {
                fail.add(new Reason(Check.POLICY_LAUNCH_TYPE, "launch type '" + printable(launchType) + "' is not trusted"));
            }
            // The VMM's DMA-protection record (PCR 18, after the configuration): only its exact text counts.
            if (policy.requireDmaProtection()) {
                ran.add(Check.POLICY_DMA_PROTECTION);
                if (dmaEvents != 1) {
                    fail.add(new Reason(Check.POLICY_DMA_PROTECTION, "PCR 18 has " + dmaEvents
                            + " DMA-protection events, expected one"));
                } else if (DmaProtection.fromEventText(dma).orElse(null) != DmaProtection.IOMMU) {
                    fail.add(new Reason(Check.POLICY_DMA_PROTECTION, "devices were not kept out of the VMM: '"
                            + printable(dma) + "'"));
                }
            }
            if (configEvents != 1 && !policy.launchConfig().isEmpty()) {
                fail.add(new Reason(Check.POLICY_LAUNCH_CONFIG, "PCR 18 has " + configEvents + " configuration events"));
            }
            if (!policy.pcr18().isEmpty()) {
                ran.add(Check.POLICY_PCR18);
            }
            if (!policy.pcr18().isEmpty() && !contains(policy.pcr18(), quoted.get(18))) {
                fail.add(new Reason(Check.POLICY_PCR18, "PCR 18 is not an allowed launch configuration value"));
            }
            // PCR 19: one record per guest, launched or refused
            if (!e19.isEmpty()) {
                ran.add(Check.POLICY_GUEST);
            }
            for (VerifiedEvent e : e19) {
                if (!e.dataMatchesDigest()) {
                    fail.add(new Reason(Check.POLICY_GUEST, "guest record event " + e.index() + ": data is not what was measured"));
                    continue;
                }
                io.trustbit.measure.GuestRecord g;
                try {
                    g = io.trustbit.measure.GuestRecord.parse(e.data());
                } catch (io.trustbit.measure.FormatException ex) {
                    fail.add(new Reason(Check.POLICY_GUEST, ex.getMessage()));
                    continue;
                }
                if (g.decision() != io.trustbit.measure.GuestRecord.LAUNCHED) {
                    Reason r = new Reason(Check.POLICY_GUEST, "guest '" + g.name() + "' was refused (reason " + g.reason() + ")");
                    (policy.allowRefusedGuests() ? warn : fail).add(r);
                    continue;
                }
                if (!policy.retiredSigners().isEmpty()) {
                    ran.add(Check.POLICY_SIGNER_RETIRED);
                }
                fail.addAll(GuestSigners.failures(policy, g));
            }
        }

        private List<VerifiedEvent> events(int pcr) {
            List<VerifiedEvent> out = new ArrayList<>();
            for (VerifiedEvent e : log.events()) {
                if (e.pcrIndex() == pcr && e.verifiedBanks().contains(bank)) {
                    out.add(e);
                }
            }
            return out;
        }

        private byte[] digest(VerifiedEvent e) {
            return e.digests().get(bank);
        }
    }

    private static String printable(String s) {
        String t = s.length() > 32 ? s.substring(0, 32) : s;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }

    static boolean contains(List<byte[]> allowed, byte[] value) {
        if (value == null) {
            return false;
        }
        boolean found = false;
        for (byte[] a : allowed) {
            found |= MessageDigest.isEqual(a, value);
        }
        return found;
    }

    private static boolean selectionMatches(PcrSelection sel, Map<HashAlg, Map<Integer, byte[]>> supplied) {
        Map<HashAlg, SortedSet<Integer>> signed = new EnumMap<>(HashAlg.class);
        for (PcrSelection.Bank b : sel.banks()) {
            if (!b.pcrs().isEmpty()) {
                signed.put(b.alg(), b.pcrs());
            }
        }
        Map<HashAlg, SortedSet<Integer>> given = new EnumMap<>(HashAlg.class);
        supplied.forEach((alg, m) -> {
            if (!m.isEmpty()) {
                given.put(alg, new TreeSet<>(m.keySet()));
            }
        });
        return signed.equals(given);
    }

    private static String describe(Map<HashAlg, Map<Integer, byte[]>> supplied) {
        StringBuilder sb = new StringBuilder();
        supplied.forEach((alg, m) -> sb.append(sb.length() == 0 ? "" : "+").append(alg.bankName()).append(':')
                .append(m.keySet()));
        return sb.toString();
    }
}
