package io.trustbit.verifier.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.trustbit.verifier.DrtmChain;
import io.trustbit.verifier.SoftTpm;
import io.trustbit.verifier.TestVerifier;
import io.trustbit.verifier.bench.LoadGenerator.Answer;
import io.trustbit.verifier.internal.FastEcdsa;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load generator tells an error from a verdict it asked for: against a real verifier, evidence made wrong on
 * purpose (flapping) is contraindicated as intended, correct evidence is affirming, and a verdict other than the
 * one the evidence was made for is an error.
 */
class LoadGeneratorTest {
    @TempDir
    Path dir;

    @Test
    void flappedVerdictsAreIntendedAndOtherVerdictsAreErrors() throws Exception {
        DrtmChain chain = new DrtmChain();
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/test.yaml"), chain.policyYaml("test", false));
        try (TestVerifier v = TestVerifier.start(dir, b -> { })) {
            LoadGenerator.Target target = new LoadGenerator.Target(v.server.certificate(), v.server.port());
            Signature ecdsa = Signature.getInstance("SHA256withPLAIN-ECDSA", FastEcdsa.BC);
            SoftTpm tpm = new SoftTpm();
            v.enroll("flapping", tpm);
            LoadGenerator.Node flapping = new LoadGenerator.Node("flapping", tpm, chain.pcrs(), chain.eventLog());
            flapping.flapEvery = 3;
            // another build than the policy's: its correct evidence is contraindicated, which nobody asked for
            DrtmChain other = new DrtmChain();
            other.vmm = "another VMM image".getBytes(StandardCharsets.US_ASCII);
            SoftTpm otherTpm = new SoftTpm();
            v.enroll("other-build", otherTpm);
            LoadGenerator.Node otherBuild = new LoadGenerator.Node("other-build", otherTpm, other.pcrs(), other.eventLog());
            List<Answer> answers = new ArrayList<>();
            List<Answer> otherAnswers = new ArrayList<>();
            try (LoadGenerator.Connection http = new LoadGenerator.Connection(target)) {
                AtomicLong challenges = new AtomicLong();
                for (int i = 0; i < 6; i++) {
                    answers.add(LoadGenerator.attestation(http, flapping, ecdsa, true, challenges));
                    otherAnswers.add(LoadGenerator.attestation(http, otherBuild, ecdsa, true, challenges));
                }
            }
            assertEquals(List.of(Answer.AFFIRMING, Answer.AFFIRMING, Answer.CONTRAINDICATED_AS_INTENDED,
                    Answer.AFFIRMING, Answer.AFFIRMING, Answer.CONTRAINDICATED_AS_INTENDED), answers);
            assertEquals(List.of(Answer.UNEXPECTED, Answer.UNEXPECTED, Answer.UNEXPECTED, Answer.UNEXPECTED,
                    Answer.UNEXPECTED, Answer.UNEXPECTED), otherAnswers);
        }
    }
}
