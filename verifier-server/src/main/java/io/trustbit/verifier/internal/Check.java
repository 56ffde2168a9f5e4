package io.trustbit.verifier.internal;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The appraisal's checks by their stable ids (docs/verifier.md "Checks"), as reasons and {@code checked} lists
 * name them. A failure of an {@link Kind#AUTHENTICATION} check means the evidence is not proven to come from
 * the node (it may be anyone's bytes, or an old answer replayed): it is recorded as a failed attempt and never
 * decides the node's state. Failures of {@link Kind#APPRAISAL} checks are the node's own TPM-signed answer
 * judged against the policy, and make a contraindicated verdict.
 */
public enum Check {
    EVIDENCE_FORMAT("evidence.format", Kind.AUTHENTICATION),
    EVIDENCE_NODE("evidence.node", Kind.AUTHENTICATION),
    EVIDENCE_AK("evidence.ak", Kind.AUTHENTICATION),
    EVIDENCE_AGE("evidence.age", Kind.APPRAISAL),
    NONCE("nonce", Kind.AUTHENTICATION),
    QUOTE_MAGIC("quote.magic", Kind.AUTHENTICATION),
    QUOTE_TYPE("quote.type", Kind.AUTHENTICATION),
    QUOTE_FORMAT("quote.format", Kind.AUTHENTICATION),
    QUOTE_SIGNATURE("quote.signature", Kind.AUTHENTICATION),
    QUOTE_SIGNER("quote.signer", Kind.AUTHENTICATION),
    CLOCK_SAFE("clock.safe", Kind.APPRAISAL),
    CLOCK_COUNTERS("clock.counters", Kind.APPRAISAL),
    PCRS_SELECTION("pcrs.selection", Kind.APPRAISAL),
    PCRS_DIGEST("pcrs.digest", Kind.APPRAISAL),
    EVENTLOG_DRTM("eventlog.drtm", Kind.APPRAISAL),
    EVENTLOG_UEFI("eventlog.uefi", Kind.APPRAISAL),
    POLICY_UNAVAILABLE("policy.unavailable", Kind.APPRAISAL),
    POLICY_PCR17("policy.pcr17", Kind.APPRAISAL),
    POLICY_SLB("policy.slb", Kind.APPRAISAL),
    POLICY_VMM("policy.vmm", Kind.APPRAISAL),
    POLICY_LAUNCH_TYPE("policy.launch-type", Kind.APPRAISAL),
    POLICY_LAUNCH_CONFIG("policy.launch-config", Kind.APPRAISAL),
    POLICY_PCR18("policy.pcr18", Kind.APPRAISAL),
    POLICY_DMA_PROTECTION("policy.dma-protection", Kind.APPRAISAL),
    POLICY_GUEST("policy.guest", Kind.APPRAISAL),
    POLICY_FIRMWARE("policy.firmware", Kind.APPRAISAL),
    /** The IMA measurement list is missing, malformed or too large, or PCR 10 is not quoted. */
    IMA_LOG("ima.log", Kind.APPRAISAL),
    /**
     * The IMA list does not start where this verifier's appraisal of the boot stands: the answer's next
     * challenge says where it does, and the agent attests again from there.
     */
    IMA_OFFSET("ima.offset", Kind.APPRAISAL),
    /** The IMA list does not replay to the quoted PCR 10 (an entry edited, dropped, added or moved). */
    IMA_PCR10("ima.pcr10", Kind.APPRAISAL),
    /** An IMA entry the runtime policy does not allow; the detail names the path and the rule. */
    IMA_POLICY("ima.policy", Kind.APPRAISAL),
    /** Evidence for a revoked node: its AK no longer speaks for it. */
    NODE_REVOKED("node.revoked", Kind.AUTHENTICATION),
    /** An administrator retired the node (its TPM moved to another id): the id never attests again. */
    NODE_RETIRED("node.retired", Kind.AUTHENTICATION),
    /** Evidence for a node without an activated AK: nothing could authenticate it. */
    NODE_NOT_ENROLLED("node.not-enrolled", Kind.AUTHENTICATION),
    /** The appraisal failed unexpectedly: nothing was proven, so nothing is decided. */
    INTERNAL("internal", Kind.AUTHENTICATION);

    /** What a failure of the check says about the evidence. */
    public enum Kind {
        /** Failure: the evidence is not proven to be the node's answer to this verifier's challenge. */
        AUTHENTICATION,
        /** Failure: the node's authenticated evidence does not satisfy the policy. */
        APPRAISAL
    }

    private final String id;
    private final Kind kind;

    Check(String id, Kind kind) {
        this.id = id;
        this.kind = kind;
    }

    /** The stable id clients and verdicts see. */
    @JsonValue
    public String id() {
        return id;
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public String toString() {
        return id;
    }
}
