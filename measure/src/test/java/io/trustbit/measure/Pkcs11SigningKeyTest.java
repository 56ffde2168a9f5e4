package io.trustbit.measure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import io.trustbit.testkit.SoftHsm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xipki.pkcs11.wrapper.KeyPairTemplate;
import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.PKCS11Constants;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.PKCS11KeyPair;

/**
 * Ed25519 keys in a SoftHSM2 token (a throwaway token directory under target/, named by the SOFTHSM2_CONF that
 * the POM gives the test JVM): generated inside, signs manifests that verify, and its private value cannot be
 * read, neither through our session nor by OpenSC's pkcs11-tool.
 */
class Pkcs11SigningKeyTest {
    static final Path MODULE = SoftHsm.MODULE;
    static SoftHsm hsm;

    @BeforeAll
    static void token() throws Exception {
        hsm = SoftHsm.freshToken();
    }

    static Pkcs11Uri uri(String object) {
        return Pkcs11Uri.parse(hsm.uri(object));
    }

    @Test
    void generatedKeySignsManifestsAndReopensWithTheSameKeyId() throws Exception {
        Pkcs11Uri u = uri("release-a");
        String id;
        try (Pkcs11SigningKey key = Pkcs11SigningKey.generate(u, MODULE, hsm.pin().toCharArray())) {
            id = key.publicKey().keyIdHex();
            byte[] digest = new byte[32];
            ImageManifest m = ImageManifest.sign(ImageKind.GUEST, 4096, digest, 7, key);
            ImageDigest d = new ImageDigest(4096, digest);
            assertEquals(7, ImageVerifier.verify(m.encode(), d, null, key.publicKey(),
                    new ImageVerifier.Requirements(Optional.of(ImageKind.GUEST), 7)).securityVersion());
        }
        char[] pin = Pkcs11SigningKey.pin(u, null, Map.of());
        try (Pkcs11SigningKey again = Pkcs11SigningKey.open(u, MODULE, pin)) {
            assertEquals(id, again.publicKey().keyIdHex());
        }
        Pkcs11SigningKey.Pkcs11KeyException twice = assertThrows(Pkcs11SigningKey.Pkcs11KeyException.class,
                () -> Pkcs11SigningKey.generate(u, MODULE, hsm.pin().toCharArray()));
        assertTrue(twice.getMessage().contains("already holds a key"), twice.getMessage());
    }

    @Test
    void privateValueCannotBeReadThroughOurSessionNorByPkcs11Tool() throws Exception {
        Pkcs11Uri u = uri("release-b");
        byte[] pub;
        try (Pkcs11SigningKey key = Pkcs11SigningKey.generate(u, MODULE, hsm.pin().toCharArray())) {
            pub = key.publicKey().raw();
            Object value;
            try {
                value = key.session().getAttrValue(key.privateKeyHandle(), PKCS11Constants.CKA_VALUE);
            } catch (PKCS11Exception e) {
                assertEquals(PKCS11Constants.CKR_ATTRIBUTE_SENSITIVE, e.getErrorCode(), "the token's reason");
                value = null;
            }
            assertEquals(null, value, "CKA_VALUE of the private key");
        }
        // OpenSC's export attempt: it declines a private key outright (for EdDSA, whatever its flags), and must write nothing
        Path exported = hsm.dir().resolve(hsm.token() + "-exported-b");
        hsm.pkcs11Tool("--read-object", "--type", "privkey", "--label", "release-b", "--output-file", exported.toString());
        assertTrue(!Files.exists(exported) || Files.size(exported) == 0, "pkcs11-tool --read-object wrote the private key");
        // the same tool sees the key and signs with it (CKM_EDDSA): the signature verifies under our public key
        Path msg = hsm.dir().resolve(hsm.token() + "-msg-b");
        Path sig = hsm.dir().resolve(hsm.token() + "-sig-b");
        Files.write(msg, "trustbit".getBytes(StandardCharsets.US_ASCII));
        SoftHsm.Result sign = hsm.pkcs11Tool("--sign", "--mechanism", "EDDSA", "--label", "release-b", "--input-file", msg.toString(),
                "--output-file", sig.toString());
        assertEquals(0, sign.code(), sign.out());
        assertTrue(Ed25519PublicKey.fromRaw(pub).verify(Files.readAllBytes(msg), Files.readAllBytes(sig)));
    }

    /**
     * The control for the test above: a key made readable on purpose (not sensitive, extractable) gives its value
     * through the same read, so that read can fail the test; and {@code open} refuses to sign with such a key.
     */
    @Test
    void aReadableKeyIsReadAndRefused() throws Exception {
        Pkcs11Uri u = uri("readable");
        try (Pkcs11SigningKey key = Pkcs11SigningKey.generate(uri("helper"), MODULE, hsm.pin().toCharArray())) {
            KeyPairTemplate t = new KeyPairTemplate(PKCS11Constants.CKK_EC_EDWARDS).token(true).label("readable")
                    .id(new byte[] {7}).signVerify(true);
            t.publicKey().ecParams(new byte[] {0x06, 0x03, 0x2B, 0x65, 0x70});
            t.privateKey().private_(true).sensitive(false).extractable(true);
            PKCS11KeyPair pair = key.session().generateKeyPair(new Mechanism(PKCS11Constants.CKM_EC_EDWARDS_KEY_PAIR_GEN), t);
            Object value = key.session().getAttrValue(pair.getPrivateKey(), PKCS11Constants.CKA_VALUE);
            assertTrue(value instanceof byte[] b && b.length == 32, "the readable key's CKA_VALUE: " + value);
        }
        Pkcs11SigningKey.Pkcs11KeyException e = assertThrows(Pkcs11SigningKey.Pkcs11KeyException.class,
                () -> Pkcs11SigningKey.open(u, MODULE, hsm.pin().toCharArray()));
        assertTrue(e.getMessage().contains("reports the private key as readable"), e.getMessage());
    }

    @Test
    void wrongPinAndMissingObjectAreNamed() throws Exception {
        Pkcs11Uri u = uri("release-c");
        Pkcs11SigningKey.generate(u, MODULE, hsm.pin().toCharArray()).close();
        Pkcs11SigningKey.Pkcs11KeyException pin = assertThrows(Pkcs11SigningKey.Pkcs11KeyException.class,
                () -> Pkcs11SigningKey.open(u, MODULE, "000000".toCharArray()));
        assertTrue(pin.getMessage().contains("login failed"), pin.getMessage());
        Pkcs11SigningKey.Pkcs11KeyException none = assertThrows(Pkcs11SigningKey.Pkcs11KeyException.class,
                () -> Pkcs11SigningKey.open(uri("nothing-here"), MODULE, hsm.pin().toCharArray()));
        assertTrue(none.getMessage().contains("no private key"), none.getMessage());
        Pkcs11SigningKey.Pkcs11KeyException noToken = assertThrows(Pkcs11SigningKey.Pkcs11KeyException.class,
                () -> Pkcs11SigningKey.open(Pkcs11Uri.parse("pkcs11:token=absent;object=x"), MODULE, hsm.pin().toCharArray()));
        assertTrue(noToken.getMessage().contains("no token labelled absent"), noToken.getMessage());
    }

    @Test
    void uriParsing() throws Exception {
        Pkcs11Uri u = Pkcs11Uri.parse("pkcs11:token=Release%20HSM;object=img%2Dkey;id=%01%ff;type=private"
                + "?module-path=/m.so&pin-source=file:/run/pin");
        assertEquals("Release HSM", u.token());
        assertEquals("img-key", u.object());
        assertArrayEquals(new byte[] {1, (byte) 0xFF}, u.id().orElseThrow());
        assertEquals(Path.of("/m.so"), u.modulePath().orElseThrow());
        assertEquals(Path.of("/run/pin"), u.pinFile().orElseThrow());
        assertEquals("pkcs11:token=Release HSM;object=img-key;id=%01%ff", u.toString());
        List<String> failed = new ArrayList<>();
        for (String[] c : new String[][] {
                {"pkcs11:token=a;object=b?pin-value=1234", "pin-value is refused"},
                {"pkcs11:token=a;object=b;manufacturer=x", "manufacturer is not supported"},
                {"pkcs11:token=a", "needs token= and object="},
                {"pkcs11:token=a;token=b;object=c", "token given twice"},
                {"pkcs11:token=a;object=b;type=public", "type must be private"},
                {"pkcs11:token=a;object=b%2", "truncated percent escape"},
                {"pkcs11:token=a;object=b%zz", "bad percent escape"},
                {"pkcs11:token=a;object=b?pin-source=https://x/pin", "pin-source must be file:PATH"},
                {"file:/k.key", "starts with pkcs11:"}}) {
            try {
                Pkcs11Uri.parse(c[0]);
                failed.add(c[0] + ": accepted");
            } catch (IllegalArgumentException e) {
                if (!e.getMessage().contains(c[1])) {
                    failed.add(c[0] + ": " + e.getMessage());
                }
            }
        }
        assertEquals(List.of(), failed);
        Pkcs11SigningKey.Pkcs11KeyException noPin = assertThrows(Pkcs11SigningKey.Pkcs11KeyException.class,
                () -> Pkcs11SigningKey.pin(Pkcs11Uri.parse("pkcs11:token=a;object=b"), null, Map.of()));
        assertTrue(noPin.getMessage().contains(Pkcs11SigningKey.PIN_ENV), noPin.getMessage());
        assertArrayEquals("42".toCharArray(), Pkcs11SigningKey.pin(Pkcs11Uri.parse("pkcs11:token=a;object=b"), null,
                Map.of(Pkcs11SigningKey.PIN_ENV, "42")));
    }
}
