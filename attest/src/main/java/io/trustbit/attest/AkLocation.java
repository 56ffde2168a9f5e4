package io.trustbit.attest;

import java.nio.file.Path;

/**
 * Where the attestation key lives between runs: at a persistent TPM handle (0x81000000–0x81FFFFFF,
 * default 0x81010002), or as a saved public+private blob in a state directory, to be loaded under
 * the EK on each use. Either way the same key, with the same Name, is used on every run.
 */
public sealed interface AkLocation {
    int DEFAULT_HANDLE = 0x81010002;

    record Persistent(int handle) implements AkLocation {
        public Persistent {
            if ((handle & 0xFF000000) != 0x81000000) {
                throw new IllegalArgumentException(String.format("0x%08x is not a persistent handle (0x81xxxxxx)", handle));
            }
        }
    }

    record StateDir(Path dir) implements AkLocation {
    }

    static AkLocation persistent(int handle) {
        return new Persistent(handle);
    }

    static AkLocation stateDir(Path dir) {
        return new StateDir(dir);
    }
}
