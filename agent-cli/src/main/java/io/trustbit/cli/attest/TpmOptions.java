package io.trustbit.cli.attest;

import io.trustbit.attest.AkLocation;
import io.trustbit.attest.AkType;
import io.trustbit.attest.AttestationTpm;
import io.trustbit.cli.CliException;
import io.trustbit.cli.ExitCode;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by the commands that talk to a TPM and use the attestation key. */
final class TpmOptions {
    @Option(names = "--tpm", paramLabel = "T",
            description = "linux:/dev/tpmrm0, swtpm:HOST:PORT (control on PORT+1) or proxy:SOCKET")
    String tpm;

    @Option(names = "--ak-handle", paramLabel = "H", description = "Persistent AK handle (default 0x81010002 unless --state-dir).")
    String akHandle;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Keep the AK as a saved blob in DIR instead of a persistent handle.")
    Path stateDir;

    @Option(names = "--ak-type", paramLabel = "ecc|rsa", defaultValue = "ecc",
            description = "Algorithm of a newly created AK: ecc (P-256, ECDSA-SHA256, default) or rsa (2048, RSASSA-SHA256).")
    String akType;

    @Option(names = "--ek-type", paramLabel = "ecc|rsa",
            description = "EK to create the AK under; default: the one with a certificate in NV, else ecc.")
    String ekType;

    AttestationTpm open() {
        if (tpm == null) {
            throw CliException.badInput("--tpm is required", null);
        }
        try {
            return AttestationTpm.open(tpm);
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(e.getMessage(), e);
        } catch (IOException e) {
            throw CliException.environment("cannot reach the TPM " + tpm + ": " + e.getMessage(), e);
        }
    }

    AkLocation akLocation() {
        if (akHandle != null && stateDir != null) {
            throw CliException.badInput("give --ak-handle or --state-dir, not both", null);
        }
        if (stateDir != null) {
            return AkLocation.stateDir(stateDir);
        }
        if (akHandle == null) {
            return AkLocation.persistent(AkLocation.DEFAULT_HANDLE);
        }
        try {
            String h = akHandle.startsWith("0x") || akHandle.startsWith("0X") ? akHandle.substring(2) : akHandle;
            return AkLocation.persistent(Integer.parseUnsignedInt(h, 16));
        } catch (IllegalArgumentException e) {
            throw CliException.badInput("--ak-handle '" + akHandle + "' is not a persistent handle such as 0x81010002", e);
        }
    }

    AkType akType() {
        try {
            return AkType.fromLabel(akType);
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(e.getMessage(), e);
        }
    }
}
