package io.trustbit.attest;

import io.trustbit.attest.tpm2.TpmtPublic;
import java.util.Optional;

/** The endorsement key's public area and, if the TPM holds one, its certificate (DER). */
public record Endorsement(EkType type, TpmtPublic ekPublic, Optional<byte[]> certificate) {
}
