package io.trustbit.cli.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.cli.Cli;
import io.trustbit.measure.Ed25519PublicKey;
import io.trustbit.measure.LaunchConfig;
import io.trustbit.verifier.Policy;
import io.trustbit.verifier.VerdictVerifier;
import io.trustbit.verifier.VerifierConfig;
import io.trustbit.verifier.VerifierServer;
import io.trustbit.verifier.WebhookConfig;
import io.trustbit.verifier.internal.Check;
import io.trustbit.verifier.internal.EarStatus;
import io.trustbit.verifier.internal.Es256;
import io.trustbit.verifier.internal.Json;
import io.trustbit.verifier.internal.KeyFiles;
import io.trustbit.verifier.internal.VerdictSigner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code trustbit policy lint|from-build}, {@code verdict check} and {@code verifier serve} argument checks. */
class VerifierCliTest {
    @TempDir
    Path dir;

    static Cli run(Object... args) {
        return Cli.run(args);
    }

    @Test
    void lintAcceptsTheExamplesAndRefusesABrokenPolicy() throws Exception {
        Path good = Path.of("..", "policies", "examples", "production-skinit.yaml");
        Cli ok = run("policy", "lint", good);
        assertEquals(0, ok.code(), ok.toString());
        assertTrue(ok.out().contains("id production-skinit"), ok.out());
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "version: 1\ndrtm:\n  pcr17: [abc]\n");
        Cli r = run("policy", "lint", bad);
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("drtm.pcr17[0]"), r.err());
        assertEquals(2, run("policy", "lint", dir.resolve("missing.yaml")).code());
    }

    @Test
    void fromBuildComputesThePcrValuesOfTheBuild() throws Exception {
        byte[] slb = new byte[600];
        slb[2] = (byte) 0x00; // header word 1: measured length 0x0200 (the rest is not measured)
        slb[3] = (byte) 0x02;
        for (int i = 4; i < slb.length; i++) {
            slb[i] = (byte) i;
        }
        byte[] vmm = "vmm image bytes".getBytes(StandardCharsets.US_ASCII);
        byte[] signer = new byte[32];
        signer[0] = 9;
        byte[] config = new LaunchConfig(List.of(new LaunchConfig.Signer(Ed25519PublicKey.fromRaw(signer), 5)), "harness")
                .encode();
        Files.write(dir.resolve("slb.bin"), slb);
        Files.write(dir.resolve("vmm.bin"), vmm);
        Files.write(dir.resolve("launch.cfg"), config);
        Path out = dir.resolve("fleet.yaml");
        Cli r = run("policy", "from-build", "--slb", dir.resolve("slb.bin"), "--vmm", dir.resolve("vmm.bin"),
                "--launch-config", dir.resolve("launch.cfg"), "--out", out);
        assertEquals(0, r.code(), r.toString());
        Policy p = Policy.parse(Files.readAllBytes(out), "x");
        assertEquals("fleet", p.id());
        // independent computation: PCR 17 = H(H(0^32 ‖ H(slb[0:0x200])) ‖ H(vmm))
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] slbDigest = sha.digest(java.util.Arrays.copyOf(slb, 0x200));
        sha.update(new byte[32]);
        sha.update(slbDigest);
        byte[] pcr = sha.digest();
        byte[] vmmDigest = sha.digest(vmm);
        sha.update(pcr);
        sha.update(vmmDigest);
        byte[] expected17 = sha.digest();
        assertEquals(HexFormat.of().formatHex(expected17), HexFormat.of().formatHex(p.pcr17().get(0)));
        assertEquals(HexFormat.of().formatHex(slbDigest), HexFormat.of().formatHex(p.slb().get(0)));
        assertEquals(1, p.pcr18().size());
        assertTrue(p.requireDmaProtection());
        assertEquals(5L, p.signers().get(HexFormat.of().formatHex(Ed25519PublicKey.fromRaw(signer).keyId())));
        Cli emulated = run("policy", "from-build", "--slb", dir.resolve("slb.bin"), "--vmm", dir.resolve("vmm.bin"),
                "--launch-config", dir.resolve("launch.cfg"), "--allow-emulated", "--out", dir.resolve("lab.yaml"));
        assertEquals(0, emulated.code(), emulated.toString());
        Policy lab = Policy.parse(Files.readAllBytes(dir.resolve("lab.yaml")), "x");
        assertTrue(lab.allowEmulated());
        assertEquals(2, lab.pcr18().size());
        Cli noDma = run("policy", "from-build", "--slb", dir.resolve("slb.bin"), "--vmm", dir.resolve("vmm.bin"),
                "--launch-config", dir.resolve("launch.cfg"), "--allow-no-dma-protection", "--out", dir.resolve("old.yaml"));
        assertEquals(0, noDma.code(), noDma.toString());
        Policy old = Policy.parse(Files.readAllBytes(dir.resolve("old.yaml")), "x");
        assertTrue(!old.requireDmaProtection());
        assertEquals(2, old.pcr18().size());
    }

    @Test
    void fromBuildChecksThatEveryGuestIsLaunchable() throws Exception {
        io.trustbit.measure.SigningKey release = io.trustbit.measure.SigningKey.generate();
        io.trustbit.measure.SigningKey stranger = io.trustbit.measure.SigningKey.generate();
        Object[] common = fromBuild(new LaunchConfig.Signer(release.publicKey(), 2));
        byte[] image = "guest image".getBytes(StandardCharsets.US_ASCII);
        Files.write(dir.resolve("g.bin"), image);
        byte[] sha = MessageDigest.getInstance("SHA-256").digest(image);
        Files.write(dir.resolve("g.manifest"), io.trustbit.measure.ImageManifest.sign(io.trustbit.measure.ImageKind.GUEST,
                image.length, sha, 3, release).encode());
        Files.write(dir.resolve("bad.manifest"), io.trustbit.measure.ImageManifest.sign(io.trustbit.measure.ImageKind.GUEST,
                image.length, sha, 3, stranger).encode());
        Cli ok = run(concat(common, "--guest", "g1=" + dir.resolve("g.bin") + ":" + dir.resolve("g.manifest"), "--out",
                dir.resolve("ok.yaml")));
        assertEquals(0, ok.code(), ok.toString());
        Cli bad = run(concat(common, "--guest", "g1=" + dir.resolve("g.bin") + ":" + dir.resolve("bad.manifest"), "--out",
                dir.resolve("bad.yaml")));
        assertEquals(1, bad.code(), bad.toString());
        assertTrue(!Files.exists(dir.resolve("bad.yaml")));
        assertEquals(2, run(concat(common, "--guest", "nocolon", "--out", dir.resolve("x.yaml"))).code());
    }

    /**
     * {@code --linux-signer} moves a launch-configuration signer from guests.signers to guests.linuxSigners (with the
     * configuration's minimum); {@code --linux} checks a Linux guest against the configuration and those signers.
     * What the verifier makes of such a policy: AppraisalChecksTest (a Linux guest answers to linuxSigners alone).
     */
    @Test
    void fromBuildWritesTheLinuxSignersOfALinuxGuestChain() throws Exception {
        io.trustbit.measure.SigningKey release = io.trustbit.measure.SigningKey.generate();
        io.trustbit.measure.SigningKey kernels = io.trustbit.measure.SigningKey.generate();
        io.trustbit.measure.SigningKey stranger = io.trustbit.measure.SigningKey.generate();
        Object[] common = fromBuild(new LaunchConfig.Signer(release.publicKey(), 2),
                new LaunchConfig.Signer(kernels.publicKey(), 7));
        io.trustbit.measure.KeyFiles.write(dir.resolve("kernels"), kernels, null);
        io.trustbit.measure.KeyFiles.write(dir.resolve("stranger"), stranger, null);
        byte[] kernel = "kernel".getBytes(StandardCharsets.US_ASCII);
        byte[] initrd = "initrd".getBytes(StandardCharsets.US_ASCII);
        Files.write(dir.resolve("vmlinuz"), kernel);
        Files.write(dir.resolve("initrd"), initrd);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        io.trustbit.measure.ImageManifest.LinuxPart part = new io.trustbit.measure.ImageManifest.LinuxPart(initrd.length,
                sha.digest(initrd), "console=ttyS0");
        Files.write(dir.resolve("vmlinuz.manifest"), io.trustbit.measure.ImageManifest.signLinux(kernel.length,
                sha.digest(kernel), part, 7, kernels).encode());
        Files.write(dir.resolve("released.manifest"), io.trustbit.measure.ImageManifest.signLinux(kernel.length,
                sha.digest(kernel), part, 7, release).encode());
        String linux = "linux=" + dir.resolve("vmlinuz") + ":" + dir.resolve("initrd") + ":" + dir.resolve("vmlinuz.manifest");
        for (Object signer : new Object[] {dir.resolve("kernels.pub"), kernels.publicKey().keyIdHex()}) {
            Path out = dir.resolve("linux.yaml");
            Cli ok = run(concat(common, "--linux-signer", signer, "--linux", linux, "--out", out));
            assertEquals(0, ok.code(), ok.toString());
            Policy p = Policy.parse(Files.readAllBytes(out), "x");
            assertEquals(java.util.Map.of(kernels.publicKey().keyIdHex(), 7L), p.linuxSigners());
            assertEquals(java.util.Map.of(release.publicKey().keyIdHex(), 2L), p.signers());
        }
        // the runtime section of a guest whose programs are signed (IMA appraisal): trusted key and excluded paths
        java.security.KeyPairGenerator ec = java.security.KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        Files.write(dir.resolve("app.der"), ec.generateKeyPair().getPublic().getEncoded());
        Cli ima = run(concat(common, "--linux-signer", kernels.publicKey().keyIdHex(), "--ima-key", dir.resolve("app.der"),
                "--ima-exclude", "/bin/busybox$", "--ima-exclude", "/init$", "--out", dir.resolve("ima.yaml")));
        assertEquals(0, ima.code(), ima.toString());
        Policy withIma = Policy.parse(Files.readAllBytes(dir.resolve("ima.yaml")), "x");
        assertEquals(1, withIma.runtime().keys().size());
        assertEquals(List.of("/bin/busybox$", "/init$"), withIma.runtime().excludes());
        assertEquals(1, withIma.linuxSigners().size());
        Cli excludeAlone = run(concat(common, "--ima-exclude", "/init$", "--out", dir.resolve("x.yaml")));
        assertEquals(2, excludeAlone.code(), excludeAlone.toString());
        Cli notAKey = run(concat(common, "--ima-key", dir.resolve("vmlinuz"), "--out", dir.resolve("x.yaml")));
        assertEquals(2, notAKey.code(), notAKey.toString());
        assertTrue(notAKey.err().startsWith("trustbit: --ima-key " + dir.resolve("vmlinuz") + ": "), notAKey.err());
        // without the flag every signer of the configuration is a guest signer, as before
        Cli plain = run(concat(common, "--linux", linux, "--out", dir.resolve("plain.yaml")));
        assertEquals(0, plain.code(), plain.toString());
        assertEquals(2, Policy.parse(Files.readAllBytes(dir.resolve("plain.yaml")), "x").signers().size());
        assertTrue(Policy.parse(Files.readAllBytes(dir.resolve("plain.yaml")), "x").linuxSigners().isEmpty());

        Cli notInConfig = run(concat(common, "--linux-signer", dir.resolve("stranger.pub"), "--out", dir.resolve("x.yaml")));
        assertEquals(2, notInConfig.code(), notInConfig.toString());
        assertEquals("trustbit: --linux-signer " + dir.resolve("stranger.pub") + ": key " + stranger.publicKey().keyIdHex()
                + " is not a signer of the launch configuration " + dir.resolve("launch.cfg") + "\n", notInConfig.err());
        Cli otherSigner = run(concat(common, "--linux-signer", dir.resolve("kernels.pub"), "--linux", "linux="
                + dir.resolve("vmlinuz") + ":" + dir.resolve("initrd") + ":" + dir.resolve("released.manifest"), "--out",
                dir.resolve("x.yaml")));
        assertEquals(1, otherSigner.code(), otherSigner.toString());
        assertEquals("trustbit: --linux linux: signer " + release.publicKey().keyIdHex() + " is not a --linux-signer\n",
                otherSigner.err());
        Cli changedInitrd = run(concat(common, "--linux", "linux=" + dir.resolve("vmlinuz") + ":" + dir.resolve("vmlinuz")
                + ":" + dir.resolve("vmlinuz.manifest"), "--out", dir.resolve("x.yaml")));
        assertEquals(1, changedInitrd.code(), changedInitrd.toString());
        assertEquals(2, run(concat(common, "--linux", "linux=" + dir.resolve("vmlinuz") + ":" + dir.resolve("vmlinuz.manifest"),
                "--out", dir.resolve("x.yaml"))).code(), "a Linux guest needs its initrd");
        assertTrue(!Files.exists(dir.resolve("x.yaml")));
    }

    /** Writes a small SLB, VMM and a launch configuration trusting {@code signers}; the from-build arguments for them. */
    private Object[] fromBuild(LaunchConfig.Signer... signers) throws java.io.IOException {
        byte[] slb = new byte[64];
        slb[2] = 64;
        Files.write(dir.resolve("slb.bin"), slb);
        Files.write(dir.resolve("vmm.bin"), new byte[] {1, 2, 3});
        Files.write(dir.resolve("launch.cfg"), new LaunchConfig(List.of(signers), "").encode());
        return new Object[] {"policy", "from-build", "--slb", dir.resolve("slb.bin"), "--vmm", dir.resolve("vmm.bin"),
            "--launch-config", dir.resolve("launch.cfg")};
    }

    private static Object[] concat(Object[] a, Object... b) {
        Object[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void verdictCheckAgainstAJwksFileAndTheServersJwksUrl() throws Exception {
        VerifierServer server = VerifierServer.start(VerifierConfig.builder(dir.resolve("data")).port(0).build());
        try {
            KeyPair key = KeyFiles.readKeyPair(dir.resolve("data/verdict-signing-key.pem"));
            VerdictSigner signer = new VerdictSigner(key, VerdictVerifier.ISSUER);
            long now = System.currentTimeMillis() / 1000;
            String affirming = signer.sign(new VerdictSigner.Claims("n1", EarStatus.AFFIRMING, List.of(), "00", "p", "sha256:00",
                    now, now + 60));
            String contra = signer.sign(new VerdictSigner.Claims("n1", EarStatus.CONTRAINDICATED,
                    List.of(new VerdictSigner.Reason(Check.NONCE, "unknown")), "00", "p", "sha256:00", now, now + 60));
            Path jwks = dir.resolve("jwks.json");
            Files.writeString(jwks, "{\"keys\":[" + Json.writeString(Es256.jwk(signer.publicKey())) + "]}");

            Cli ok = run("verdict", "check", affirming, "--jwks", jwks);
            assertEquals(0, ok.code(), ok.toString());
            assertTrue(ok.out().startsWith("affirming: node n1"), ok.out());
            Cli no = run("verdict", "check", contra, "--jwks", jwks);
            assertEquals(1, no.code(), no.toString());
            assertTrue(no.out().contains("nonce: unknown"), no.out());
            String tampered = affirming.substring(0, affirming.length() - 3) + (affirming.endsWith("A") ? "BBB" : "AAA");
            assertEquals(1, run("verdict", "check", tampered, "--jwks", jwks).code());
            String[] p = contra.split("\\.");
            String[] q = affirming.split("\\.");
            assertEquals(1, run("verdict", "check", p[0] + "." + q[1] + "." + p[2], "--jwks", jwks).code(),
                    "claims of one token with the signature of another");

            Cli url = run("verdict", "check", affirming, "--jwks", server.url() + "/.well-known/jwks.json", "--cacert",
                    dir.resolve("data/tls-cert.pem"), "--json");
            assertEquals(0, url.code(), url.toString());
            assertTrue(url.out().contains("\"status\":\"affirming\""), url.out());
            // without trusting the self-signed certificate the JWKS cannot be fetched
            Cli untrusted = run("verdict", "check", affirming, "--jwks", server.url() + "/v1/jwks");
            assertEquals(3, untrusted.code(), untrusted.toString());
            assertTrue(untrusted.err().startsWith("trustbit: cannot fetch the JWKS: 127.0.0.1:" + server.port() + ": TLS failed: "),
                    untrusted.err());
        } finally {
            server.close();
        }
    }

    @Test
    void nodesListsTheVerifiersNodesWithTheAdminTokenOnly() throws Exception {
        VerifierServer server = VerifierServer.start(VerifierConfig.builder(dir.resolve("data")).port(0).build());
        try {
            Cli ok = run("verifier", "nodes", "--url", server.url(), "--token-file", dir.resolve("data/admin-token"),
                    "--cacert", dir.resolve("data/tls-cert.pem"), "--json");
            assertEquals(0, ok.code(), ok.toString());
            assertEquals("{\"nodes\":[]}", ok.out().strip());
            Files.writeString(dir.resolve("wrong-token"), "00".repeat(32) + "\n");
            Cli wrong = run("verifier", "nodes", "--url", server.url(), "--token-file", dir.resolve("wrong-token"),
                    "--cacert", dir.resolve("data/tls-cert.pem"));
            assertEquals(3, wrong.code(), wrong.toString());
            assertTrue(wrong.err().contains("cannot fetch the node list: 127.0.0.1:" + server.port() + " answered HTTP 401"),
                    wrong.err());
        } finally {
            server.close();
        }
        // the lines the verifier's answer makes (the answer itself: SignerRotationTest in verifier-server)
        String answer = "{\"nodes\":[{\"nodeId\":\"n1\",\"status\":\"enrolled\",\"policyId\":\"prod\",\"trusted\":true,"
                + "\"stale\":false,\"nextAttestationFails\":[{\"check\":\"policy.signer-retired\",\"detail\":\"guest 'web' signer ab is "
                + "retired: leaked\"}]},{\"nodeId\":\"n2\",\"status\":\"enrolled\",\"policyId\":null,\"trusted\":false,\"stale\":true}]}";
        assertEquals("n1\tenrolled\ttrusted\tprod\n  next attestation fails: policy.signer-retired: guest 'web' signer ab is retired: leaked\n"
                + "n2\tenrolled\tstale\t-\n",
                VerifierCommand.Nodes.render(new com.fasterxml.jackson.databind.ObjectMapper().readTree(answer)));
    }

    @Test
    void webhooksShowsDeliveryStateAndNoSecret() throws Exception {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        String secret = "whsec_" + java.util.Base64.getEncoder().encodeToString(key);
        Path secretFile = dir.resolve("siem.whsec");
        Files.writeString(secretFile, secret);
        VerifierServer server = VerifierServer.start(VerifierConfig.builder(dir.resolve("data")).port(0)
                .webhooks(List.of(new WebhookConfig("siem", java.net.URI.create("http://127.0.0.1:9/hook"), secretFile,
                        java.util.Set.of("io.trustbit.node.revoked")))).build());
        try {
            Cli r = run("verifier", "webhooks", "--url", server.url(), "--data-dir", dir.resolve("data"));
            assertEquals(0, r.code(), r.toString());
            assertEquals("webhook siem: 0 delivered, 0 undelivered", r.out().strip());
            Cli json = run("verifier", "webhooks", "--url", server.url(), "--data-dir", dir.resolve("data"), "--json");
            assertEquals(0, json.code(), json.toString());
            assertTrue(json.out().contains("\"name\":\"siem\""), json.out());
            assertTrue(!json.out().contains(secret.substring(6, 30)) && !json.out().contains("127.0.0.1:9"), json.out());
            Path wrong = dir.resolve("wrong-token");
            Files.writeString(wrong, "00");
            Cli refused = run("verifier", "webhooks", "--url", server.url(), "--data-dir", dir.resolve("data"),
                    "--token-file", wrong);
            assertEquals(3, refused.code(), refused.toString());
            assertTrue(refused.err().contains("answered HTTP 401"), refused.err());
        } finally {
            server.close();
        }
    }

    @Test
    void serveRefusesPlainHttpOffLoopback() {
        Cli r = run("verifier", "serve", "--data-dir", dir.resolve("d"), "--host", "0.0.0.0", "--insecure-http");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("loopback"), r.err());
    }

    @Test
    void serveRefusesAShortOrMissingReadTokenFile() throws Exception {
        Path token = dir.resolve("read-token");
        Files.writeString(token, "short\n");
        Cli r = run("verifier", "serve", "--data-dir", dir.resolve("d"), "--port", "0", "--read-token-file", token);
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("readToken must be at least 16"), r.err());
        Cli missing = run("verifier", "serve", "--data-dir", dir.resolve("d"), "--port", "0", "--read-token-file",
                dir.resolve("absent"));
        assertEquals(2, missing.code(), missing.toString());
        assertTrue(missing.err().contains("cannot read the read-only token file"), missing.err());
    }
}
