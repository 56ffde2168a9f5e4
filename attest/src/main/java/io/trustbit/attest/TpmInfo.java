package io.trustbit.attest;

import io.trustbit.attest.tpm2.PcrSelection;
import java.util.Set;

/**
 * What {@code trustbit tpm info} reports.
 *
 * @param manufacturer   TPM_PT_MANUFACTURER as four ASCII characters (e.g. {@code IBM })
 * @param vendor         TPM_PT_VENDOR_STRING_1..4, trimmed
 * @param firmware       TPM_PT_FIRMWARE_VERSION_1/2 as {@code a.b.c.d} (16-bit parts)
 * @param banks          allocated PCR banks
 * @param ekCertificates EK types whose certificate is present in NV
 */
public record TpmInfo(String manufacturer, String vendor, String firmware, PcrSelection banks, Set<EkType> ekCertificates) {
}
