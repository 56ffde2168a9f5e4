package io.trustbit.attest;

import java.util.List;

/**
 * The verifier's answer to one Evidence.
 *
 * @param status  {@code affirming}, {@code warning} or {@code contraindicated}
 * @param reasons {@code check: detail} lines
 * @param checked the checks the verifier evaluated (all passed when the status is affirming), as it reported them
 * @param verdict the signed verdict (JWT) as received; its signature is for relying parties to check
 */
public record AttestationResult(String status, List<String> reasons, List<String> checked, String verdict) {
    public AttestationResult {
        reasons = List.copyOf(reasons);
        checked = List.copyOf(checked);
    }

    public boolean affirming() {
        return "affirming".equals(status);
    }
}
