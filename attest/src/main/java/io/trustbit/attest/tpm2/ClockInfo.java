package io.trustbit.attest.tpm2;

/**
 * TPMS_CLOCK_INFO, TPM 2.0 Library Part 2 §10.11.1: {@code clock (UINT64, ms) ‖ resetCount (UINT32) ‖
 * restartCount (UINT32) ‖ safe (TPMI_YES_NO)}. resetCount grows on every TPM Reset (power cycle or
 * Startup(CLEAR)); restartCount on every TPM Restart/Resume and returns to 0 on a Reset.
 *
 * @param resetCount   unsigned 32-bit value held in a long
 * @param restartCount unsigned 32-bit value held in a long
 */
public record ClockInfo(long clock, long resetCount, long restartCount, boolean safe) {
}
