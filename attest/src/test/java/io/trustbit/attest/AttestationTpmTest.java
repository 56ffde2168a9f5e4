package io.trustbit.attest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.trustbit.attest.internal.transport.SwtpmControl;
import io.trustbit.attest.internal.tss.TssTpm;
import io.trustbit.attest.tpm2.AkAttributes;
import io.trustbit.attest.tpm2.KeyTemplates;
import io.trustbit.attest.tpm2.MakeCredential;
import io.trustbit.attest.tpm2.PcrSelection;
import io.trustbit.attest.tpm2.QuoteSignatures;
import io.trustbit.attest.tpm2.TpmsAttest;
import io.trustbit.attest.tpm2.TpmtPublic;
import io.trustbit.attest.tpm2.TpmtSignature;
import io.trustbit.measure.HashAlg;
import io.trustbit.testkit.Swtpm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** EK, AK, credential activation and quotes against a real swtpm. */
class AttestationTpmTest {
    static Swtpm swtpm;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        swtpm = Swtpm.start();
    }

    @AfterAll
    static void stop() {
        swtpm.close();
    }

    @Test
    void akInStateDirHasAttestationAttributesAndTheTpmsName() throws Exception {
        AkLocation loc = AkLocation.stateDir(tmp);
        TpmtPublic ak;
        TpmtPublic ek;
        try (AttestationTpm tpm = AttestationTpm.open(swtpm.spec())) {
            ak = tpm.ak(loc, AkType.ECC_P256, EkType.ECC);
            ek = tpm.endorsement(EkType.ECC).ekPublic();
        }
        // read back from the TPM and checked with the pure-Java parser
        try (TssTpm tss = new TssTpm(TpmTransports.open(swtpm.spec()))) {
            var ekLoaded = tss.createPrimaryEndorsement(KeyTemplates.ekEccP256().encoded());
            int handle = 0;
            try {
                handle = tss.loadUnderEk(ekLoaded.handle(), Files.readAllBytes(tmp.resolve("ak.pub")),
                        Files.readAllBytes(tmp.resolve("ak.priv"))).handle();
                TpmtPublic readBack = TpmtPublic.parse(tss.readPublic(handle));
                AkAttributes.check(readBack);
                assertEquals(KeyTemplates.AK_ATTRIBUTES, readBack.objectAttributes());
                assertArrayEquals(tss.name(handle), readBack.name(), "TPM's Name equals nameAlg ‖ H(TPMT_PUBLIC)");
                assertArrayEquals(ak.name(), readBack.name());
                assertArrayEquals(tss.qualifiedName(handle),
                        readBack.qualifiedName(ek.qualifiedName(TpmtPublic.ENDORSEMENT_HIERARCHY_QN)), "Qualified Name");
                assertArrayEquals(tss.name(ekLoaded.handle()), ek.name(), "EK Name");
            } finally {
                tss.flush(handle);
                tss.flush(ekLoaded.handle());
            }
        }
        // reused across runs
        try (AttestationTpm tpm = AttestationTpm.open(swtpm.spec())) {
            assertArrayEquals(ak.name(), tpm.ak(loc, AkType.ECC_P256, EkType.ECC).name());
        }
    }

    @Test
    void activateCredentialRecoversSoftwareMadeSecretOnlyForTheRightAk() throws Exception {
        for (EkType ekType : EkType.values()) {
            AkLocation loc = AkLocation.stateDir(tmp.resolve(ekType.label()));
            try (AttestationTpm tpm = AttestationTpm.open(swtpm.spec())) {
                TpmtPublic ak = tpm.ak(loc, AkType.ECC_P256, ekType);
                TpmtPublic ek = tpm.endorsement(ekType).ekPublic();
                assertEquals(KeyTemplates.EK_ATTRIBUTES, ek.objectAttributes());
                byte[] secret = "sixteen byte sec".getBytes();
                MakeCredential.Result c = MakeCredential.make(ek, ak.name(), secret);
                assertArrayEquals(secret, tpm.activateCredential(loc, AkType.ECC_P256, ekType, c.credentialBlob(), c.encryptedSecret()),
                        ekType + " EK");

                byte[] otherName = ak.name();
                otherName[5] ^= 1;
                MakeCredential.Result wrong = MakeCredential.make(ek, otherName, secret);
                assertThrows(AttestException.class, () -> tpm.activateCredential(loc, AkType.ECC_P256, ekType,
                        wrong.credentialBlob(), wrong.encryptedSecret()), ekType + " EK, other AK name");

                // the TPM's own TPM2_MakeCredential produces a blob of the same shape that also activates
                var tss = tpm.tss();
                var ekLoaded = tss.createPrimaryEndorsement(ekType.template().encoded());
                byte[][] made;
                try {
                    made = tss.makeCredential(ekLoaded.handle(), secret, ak.name());
                } finally {
                    tss.flush(ekLoaded.handle());
                }
                assertEquals(made[0].length, c.credentialBlob().length, "credentialBlob length");
                assertEquals(made[1].length, c.encryptedSecret().length, "encryptedSecret length");
                assertArrayEquals(secret, tpm.activateCredential(loc, AkType.ECC_P256, ekType, made[0], made[1]));
            }
        }
    }

    @Test
    void quoteVerifiesAndCarriesNonceSelectionAndClock() throws Exception {
        AkLocation loc = AkLocation.stateDir(tmp);
        byte[] nonce = new byte[32];
        Arrays.fill(nonce, (byte) 7);
        PcrSelection sel = PcrSelection.parse("sha256:0-7,17-23+sha1:0-3");
        try (AttestationTpm tpm = AttestationTpm.open(swtpm.spec())) {
            Quote q = tpm.quote(loc, AkType.ECC_P256, EkType.ECC, nonce, sel);
            TpmtPublic ak = TpmtPublic.parse(q.akPublic());
            QuoteSignatures.verify(ak, q.attest(), TpmtSignature.parse(q.signature()));
            TpmsAttest a = TpmsAttest.parse(q.attest());
            assertArrayEquals(nonce, a.extraData());
            TpmtPublic ek = tpm.endorsement(EkType.ECC).ekPublic();
            assertArrayEquals(ak.qualifiedName(ek.qualifiedName(TpmtPublic.ENDORSEMENT_HIERARCHY_QN)), a.qualifiedSigner());
            assertEquals(sel, a.pcrSelect());
            assertEquals(15, q.pcrs().get(HashAlg.SHA256).size());
            assertArrayEquals(a.pcrDigest(), sel.digest(HashAlg.SHA256, q.pcrs()));
            // clockInfo.safe is not asserted: it is NO after the power-cycle test's unorderly TPM reset
        }
    }

    @Test
    void rsaAkQuotesWithRsassa() throws Exception {
        AkLocation loc = AkLocation.stateDir(tmp);
        try (AttestationTpm tpm = AttestationTpm.open(swtpm.spec())) {
            Quote q = tpm.quote(loc, AkType.RSA_2048, EkType.ECC, new byte[16], PcrSelection.parse("sha256:0"));
            TpmtSignature sig = TpmtSignature.parse(q.signature());
            assertEquals(io.trustbit.attest.tpm2.SigScheme.RSASSA, sig.scheme());
            QuoteSignatures.verify(TpmtPublic.parse(q.akPublic()), q.attest(), sig);
        }
    }

    @Test
    void persistentAkIsReusedAndPowerCycleShowsInClockInfo() throws Exception {
        AkLocation loc = AkLocation.persistent(AkLocation.DEFAULT_HANDLE);
        TpmsAttest first;
        byte[] name;
        try (AttestationTpm tpm = AttestationTpm.open(swtpm.spec())) {
            name = tpm.ak(loc, AkType.ECC_P256, EkType.ECC).name();
            first = TpmsAttest.parse(tpm.quote(loc, AkType.ECC_P256, EkType.ECC, new byte[8], PcrSelection.parse("sha256:0")).attest());
        }
        new SwtpmControl("127.0.0.1", swtpm.controlPort()).powerCycle();
        try (AttestationTpm tpm = AttestationTpm.open(swtpm.spec())) {
            tpm.startup();
            TpmsAttest second = TpmsAttest.parse(tpm.quote(loc, AkType.ECC_P256, EkType.ECC, new byte[8], PcrSelection.parse("sha256:0")).attest());
            assertArrayEquals(name, tpm.ak(loc, AkType.ECC_P256, EkType.ECC).name(), "same AK after the power cycle");
            assertArrayEquals(first.qualifiedSigner(), second.qualifiedSigner());
            assertEquals(first.clockInfo().resetCount() + 1, second.clockInfo().resetCount());
            tpm.evict(AkLocation.DEFAULT_HANDLE);
            assertFalse(tpm.tss().readPublicIfPresent(AkLocation.DEFAULT_HANDLE).isPresent());
        }
    }
}
