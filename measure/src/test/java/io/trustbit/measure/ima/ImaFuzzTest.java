package io.trustbit.measure.ima;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.trustbit.measure.PcrValues;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fuzzing of the IMA measurement-list parser, replay and appraisal, and of the signature parser.
 * {@link FuzzTest} methods are Jazzer targets (run with {@code JAZZER_FUZZ=1} to fuzz; a normal test run
 * replays their seeds); the {@link Test} methods run seeded mutations of the same targets in every build.
 */
class ImaFuzzTest {
    private static final byte[] SEED = ImaLogTest.mixed(ImaSigningKey.generate(ImaSigningKey.Type.ECDSA_P256));
    private static final PcrValues QUOTED;

    static {
        try {
            QUOTED = ImaLogTest.replayed(SEED);
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Seeds in ImaFuzzTestInputs/measurementList: the real kernel's list and a generated one with every entry kind. */
    @FuzzTest(maxDuration = "60s")
    void measurementList(byte[] data) {
        ImaFuzzTargets.selfQuotedReplayAndAppraise(data);
    }

    /** Seed in ImaFuzzTestInputs/securityIma: a signature evmctl ima_sign made. */
    @FuzzTest(maxDuration = "60s")
    void securityIma(byte[] data) {
        ImaFuzzTargets.signature(data);
    }

    @Test
    void seedVerifies() {
        assertEquals("verified 6 findings 5", ImaFuzzTargets.replayAndAppraise(SEED, QUOTED));
        assertEquals("verified 6 findings 5", ImaFuzzTargets.selfQuotedReplayAndAppraise(SEED));
    }

    @Test
    void mutatedSignaturesAreRefusedWithoutOtherExceptions() {
        Random r = new Random(0x51C);
        byte[] seed = ImaSignature.sign(ImaSigningKey.generate(ImaSigningKey.Type.ECDSA_P256), ImaHashAlgo.SHA256, new byte[32]).encode();
        for (int i = 0; i < 2000; i++) {
            ImaFuzzTargets.signature(ImaFuzzTargets.mutate(seed, r));
        }
    }
}
