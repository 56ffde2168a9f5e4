package io.trustbit.attest;

import io.trustbit.measure.HashAlg;
import java.util.Map;
import java.util.SortedMap;

/**
 * A quote as produced by this TPM: the TPMS_ATTEST and TPMT_SIGNATURE bytes, the AK's TPMT_PUBLIC, and
 * the PCR values read in the same run (checked against the quote's pcrDigest before being returned).
 */
public record Quote(byte[] attest, byte[] signature, byte[] akPublic, Map<HashAlg, SortedMap<Integer, byte[]>> pcrs) {
}
