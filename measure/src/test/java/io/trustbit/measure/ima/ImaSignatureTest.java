package io.trustbit.measure.ima;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.measure.FormatException;
import io.trustbit.measure.HashAlg;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IMA signature v2 and app keys, interoperating with evmctl (ima-evm-utils) in both directions. */
class ImaSignatureTest {

    @ParameterizedTest
    @EnumSource(ImaSigningKey.Type.class)
    void evmctlVerifiesOurSignatureWithOurCertificate(ImaSigningKey.Type type, @TempDir Path dir) throws Exception {
        ImaSigningKey key = ImaSigningKey.generate(type);
        key.write(dir.resolve("app"), "app");
        Path file = Files.writeString(dir.resolve("prog"), "#!/bin/sh\necho signed\n");
        byte[] digest = HashAlg.SHA256.digest(Files.readAllBytes(file));
        byte[] xattr = ImaSignature.sign(key, ImaHashAlgo.SHA256, digest).encode();
        setSecurityIma(dir, file, xattr);
        ImaTools.Result r = ImaTools.run(dir, "evmctl", "-v", "ima_verify", "--key", dir.resolve("app.der").toString(), file.toString());
        assertEquals(0, r.code(), r.output());
        // the file changed: evmctl refuses it
        Files.writeString(file, "#!/bin/sh\necho modified\n");
        setSecurityIma(dir, file, xattr);
        r = ImaTools.run(dir, "evmctl", "ima_verify", "--key", dir.resolve("app.der").toString(), file.toString());
        assertTrue(r.code() != 0, r.output());
    }

    @ParameterizedTest
    @EnumSource(ImaSigningKey.Type.class)
    void weVerifyEvmctlSignaturesMadeWithOurKeyFile(ImaSigningKey.Type type, @TempDir Path dir) throws Exception {
        ImaSigningKey key = ImaSigningKey.generate(type);
        key.write(dir.resolve("app"), "app");
        Path file = Files.writeString(dir.resolve("prog"), "#!/bin/sh\necho evmctl\n");
        ImaTools.Result r = ImaTools.run(dir, "evmctl", "ima_sign", "-a", "sha256", "--key", dir.resolve("app.key").toString(), file.toString());
        assertEquals(0, r.code(), r.output());
        ImaSignature sig = ImaSignature.parse(getSecurityIma(dir, file));
        ImaKey trusted = ImaKey.fromCertificate(Files.readAllBytes(dir.resolve("app.der")));
        assertEquals(trusted.keyId(), sig.keyId(), "evmctl's key id (from the key) equals our certificate's SKI");
        sig.verify(List.of(trusted), ImaHashAlgo.SHA256, HashAlg.SHA256.digest(Files.readAllBytes(file)));
        ImaSignatureException e = assertThrows(ImaSignatureException.class,
                () -> sig.verify(List.of(trusted), ImaHashAlgo.SHA256, HashAlg.SHA256.digest(new byte[] {1})));
        assertTrue(e.getMessage().contains("does not verify"), e.getMessage());
    }

    @Test
    void weVerifyEvmctlSignaturesWithAnOpensslCertificate(@TempDir Path dir) throws Exception {
        // the key and certificate made as ima-evm-utils' examples/ima-genkey-self.sh makes them
        assertEquals(0, ImaTools.run(dir, "openssl", "req", "-new", "-nodes", "-utf8", "-sha256", "-x509", "-days", "30",
                "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-subj", "/CN=openssl app key",
                "-addext", "keyUsage=digitalSignature", "-outform", "DER", "-out", "cert.der", "-keyout", "key.pem").code());
        Path file = Files.writeString(dir.resolve("prog"), "payload");
        assertEquals(0, ImaTools.run(dir, "evmctl", "ima_sign", "--key", "key.pem", "prog").code());
        ImaKey trusted = ImaKey.fromCertificate(Files.readAllBytes(dir.resolve("cert.der")));
        ImaSignature.parse(getSecurityIma(dir, file)).verify(List.of(trusted), ImaHashAlgo.SHA256,
                HashAlg.SHA256.digest(Files.readAllBytes(file)));
        // and our signing key reads the key file openssl wrote
        ImaSigningKey ours = ImaSigningKey.read(dir.resolve("key.pem"));
        assertEquals(trusted.keyId(), ours.publicKey().keyId());
    }

    @Test
    void anUntrustedKeyOrAnotherDigestAlgorithmIsRefused() throws Exception {
        ImaSigningKey signer = ImaSigningKey.generate(ImaSigningKey.Type.ECDSA_P256);
        ImaSigningKey other = ImaSigningKey.generate(ImaSigningKey.Type.ECDSA_P256);
        byte[] digest = new byte[32];
        ImaSignature sig = ImaSignature.sign(signer, ImaHashAlgo.SHA256, digest);
        ImaSignatureException e = assertThrows(ImaSignatureException.class, () -> sig.verify(List.of(other.publicKey()), ImaHashAlgo.SHA256, digest));
        assertTrue(e.getMessage().contains("key " + signer.publicKey().keyIdHex() + " is not a trusted key"), e.getMessage());
        e = assertThrows(ImaSignatureException.class, () -> sig.verify(List.of(signer.publicKey()), ImaHashAlgo.SHA1, new byte[20]));
        assertTrue(e.getMessage().contains("over a sha256 digest but the file digest is sha1"), e.getMessage());
    }

    @Test
    void malformedSecurityImaIsRefusedNamingTheField() {
        byte[] good = ImaSignature.sign(ImaSigningKey.generate(ImaSigningKey.Type.ECDSA_P256), ImaHashAlgo.SHA256, new byte[32]).encode();
        expect(new byte[] {4, 4}, "type 4 is not a signature (3); it is an IMA hash");
        expect(new byte[] {3, 1, 4}, "signature version 1 is not supported");
        expect(new byte[] {3, 2, 1, 0, 0, 0, 0, 0, 1, 0}, "hash_algo 1 is not supported");
        expect(java.util.Arrays.copyOf(good, 7), "sig_size needs 2 bytes but 0 remain");
        expect(java.util.Arrays.copyOf(good, good.length - 1), "sig_size " + (good.length - 9) + " but " + (good.length - 10) + " bytes follow");
        expect(new byte[] {3, 2, 4, 0, 0, 0, 0, 0, 0}, "sig_size is 0");
    }

    @Test
    void certificatesMustBeDerEcdsaOrRsaKeys() throws Exception {
        byte[] der = ImaSigningKey.generate(ImaSigningKey.Type.ECDSA_P256).selfSignedCertificate("x", java.time.Duration.ofDays(1));
        byte[] trailing = java.util.Arrays.copyOf(der, der.length + 1);
        FormatException e = assertThrows(FormatException.class, () -> ImaKey.fromCertificate(trailing));
        assertTrue(e.getMessage().startsWith("not a DER X.509 certificate"), e.getMessage());
        assertThrows(FormatException.class, () -> ImaKey.fromCertificate(new byte[] {0x30, 0x03, 1, 2, 3}));
    }

    private static void expect(byte[] xattr, String fragment) {
        FormatException e = assertThrows(FormatException.class, () -> ImaSignature.parse(xattr));
        assertTrue(e.getMessage().startsWith("security.ima: ") && e.getMessage().contains(fragment), e.getMessage());
    }

    static void setSecurityIma(Path dir, Path file, byte[] value) throws Exception {
        ImaTools.Result r = ImaTools.run(dir, "setfattr", "-n", "security.ima", "-v", "0x" + HexFormat.of().formatHex(value), file.toString());
        assertEquals(0, r.code(), "setting security.ima needs root and a filesystem with security xattrs: " + r.output());
    }

    static byte[] getSecurityIma(Path dir, Path file) throws Exception {
        ImaTools.Result r = ImaTools.run(dir, "getfattr", "--absolute-names", "-n", "security.ima", "-e", "hex", file.toString());
        assertEquals(0, r.code(), r.output());
        String line = r.output().lines().filter(l -> l.startsWith("security.ima=0x")).findFirst().orElseThrow();
        return HexFormat.of().parseHex(line.substring("security.ima=0x".length()).strip());
    }
}
