package io.trustbit.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.attest.tpm2.MakeCredential;
import io.trustbit.attest.tpm2.TpmtPublic;
import io.trustbit.testkit.Swtpm;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "EK certificate present" path: swtpm_setup manufactures a TPM with an RSA 2048 EK certificate
 * (NV 0x01C00002) signed by a local CA; the EK trustbit recreates from template L-1 must be the
 * certified key. (The "no certificate" path is AttestationTpmTest's swtpm.)
 */
class EkCertificateTest {
    @TempDir
    Path tmp;

    @Test
    void ekFromTemplateIsTheCertifiedKey() throws Exception {
        Path state = Files.createDirectories(tmp.resolve("state"));
        Path ca = Files.createDirectories(tmp.resolve("ca"));
        Files.writeString(tmp.resolve("localca.conf"), "statedir = " + ca + "\nsigningkey = " + ca + "/signkey.pem\n"
                + "issuercert = " + ca + "/issuercert.pem\ncertserial = " + ca + "/certserial\n");
        Files.writeString(tmp.resolve("setup.conf"), "create_certs_tool = /usr/bin/swtpm_localca\n"
                + "create_certs_tool_config = " + tmp.resolve("localca.conf") + "\ncreate_certs_tool_options = /dev/null\n"
                + "active_pcr_banks = sha256\n");
        Process setup = new ProcessBuilder(List.of("swtpm_setup", "--tpm2", "--tpmstate", state.toString(), "--create-ek-cert",
                "--config", tmp.resolve("setup.conf").toString(), "--overwrite"))
                .redirectErrorStream(true).redirectOutput(tmp.resolve("setup.log").toFile()).start();
        assertTrue(setup.waitFor(60, TimeUnit.SECONDS) && setup.exitValue() == 0, () -> "swtpm_setup failed: " + read(tmp.resolve("setup.log")));

        try (Swtpm swtpm = Swtpm.start(state); AttestationTpm tpm = AttestationTpm.open(swtpm.spec())) {
            TpmInfo info = tpm.info();
            assertTrue(info.ekCertificates().contains(EkType.RSA), "RSA EK certificate reported");
            assertEquals(EkType.RSA, tpm.defaultEkType());
            Endorsement e = tpm.endorsement(EkType.RSA);
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(e.certificate().orElseThrow()));
            RSAPublicKey certified = (RSAPublicKey) cert.getPublicKey();
            TpmtPublic ek = e.ekPublic();
            assertEquals(certified.getModulus(), new BigInteger(1, ek.rsaModulus()), "recreated EK is the certified key");

            // and the certified EK activates a credential for our AK
            AkLocation loc = AkLocation.stateDir(tmp.resolve("agent"));
            TpmtPublic ak = tpm.ak(loc, AkType.ECC_P256, EkType.RSA);
            MakeCredential.Result c = MakeCredential.make(ek, ak.name(), new byte[] {1, 2, 3, 4});
            byte[] secret = tpm.activateCredential(loc, AkType.ECC_P256, EkType.RSA, c.credentialBlob(), c.encryptedSecret());
            assertEquals(4, secret.length);
            assertEquals(EkType.RSA, AttestationTpm.ekTypeOf(loc, EkType.ECC), "state dir remembers the EK type");
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
