package io.trustbit.verifier;

import io.trustbit.attest.EvidenceCodec;
import io.trustbit.attest.EvidenceFormatException;
import io.trustbit.attest.Evidence;
import io.trustbit.verifier.internal.Appraiser;
import io.trustbit.verifier.internal.PolicyRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The two untrusted inputs of an appraisal, as fuzz targets: the evidence JSON (through attest's codec and
 * every check) and the DRTM event log inside otherwise valid, correctly signed evidence. A target fails only
 * if the appraisal throws: hostile input must end in reasons, never in an unexpected exception.
 */
final class AppraisalFuzzTargets {
    static final DrtmChain CHAIN = new DrtmChain();
    static final SoftTpm TPM = new SoftTpm();
    static final byte[] NONCE = new byte[32];
    static final Policy POLICY;
    static final Appraiser APPRAISER = new Appraiser(1024 * 1024);
    static final byte[] GOOD_EVIDENCE;
    private static final byte[] ATTEST;
    private static final byte[] SIGNATURE;

    static {
        SoftTpm.Quote q = TPM.new Quote(NONCE, SoftTpm.sha256(DrtmChain.drtmPcrs()), CHAIN.pcrs());
        ATTEST = q.attest();
        SIGNATURE = q.signature(ATTEST);
        try {
            POLICY = Policy.parse(CHAIN.policyYaml("fuzz", false).getBytes(StandardCharsets.UTF_8), "fuzz");
        } catch (PolicyException e) {
            throw new IllegalStateException(e);
        }
        GOOD_EVIDENCE = evidenceWithLog(CHAIN.eventLog());
    }

    private AppraisalFuzzTargets() {}

    static byte[] evidenceWithLog(byte[] log) {
        return TestVerifier.evidence("fuzz-node", TPM, NONCE, ATTEST, SIGNATURE, CHAIN.pcrs(), log);
    }

    /** Returns the verdict status, or null when the codec refused the JSON. */
    static String evidenceJson(byte[] json) {
        Evidence ev;
        try {
            ev = EvidenceCodec.parse(json);
        } catch (EvidenceFormatException e) {
            return null;
        }
        return APPRAISER.appraise("fuzz-node", ev, TPM.ekPublic(), TPM.akPublic(), Appraiser.NonceOutcome.OK,
                new PolicyRegistry.Lookup.Found(POLICY), Instant.now()).status().wire();
    }

    /** A mutated DRTM log inside evidence whose quote is valid. */
    static String drtmLog(byte[] log) {
        return evidenceJson(evidenceWithLog(log));
    }
}
