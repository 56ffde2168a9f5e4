package io.trustbit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.measure.HashAlg;
import io.trustbit.measure.ima.ImaHashAlgo;
import io.trustbit.measure.ima.ImaLogWriter;
import io.trustbit.verifier.Policy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code trustbit key new --type}, {@code app sign}, {@code app verify}, {@code policy from-ima} and
 * {@code policy import-keylime}, run in-process; signatures cross-checked with the real evmctl (ima-evm-utils)
 * on the security.ima attribute (the tests run as root on a filesystem with security xattrs, as scripts/test does).
 */
class AppCliTest {
    @TempDir Path dir;

    private String evmctl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("evmctl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return "exit " + p.exitValue() + ": " + out;
    }

    @Test
    void keysSignaturesAndEvmctlBothWays() throws Exception {
        Cli k = Cli.run("key", "new", "--type", "ecdsa-p256", "--out", dir.resolve("app"));
        assertEquals(0, k.code(), k.toString());
        assertTrue(k.out().strip().matches("[0-9a-f]{8}"), k.out());
        for (String f : List.of("app.key", "app.pub", "app.der")) {
            assertTrue(Files.exists(dir.resolve(f)), f);
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("app.key"))));

        Path ours = Files.writeString(dir.resolve("ours.sh"), "#!/bin/sh\necho ours\n");
        Cli s = Cli.run("app", "sign", "--key", dir.resolve("app.key"), ours);
        assertEquals(0, s.code(), s.toString());
        assertTrue(s.out().contains("signed by key " + k.out().strip()), s.out());
        assertTrue(evmctl("ima_verify", "--key", "app.der", "ours.sh").startsWith("exit 0"), "evmctl verifies ours");
        Cli v = Cli.run("app", "verify", "--cert", dir.resolve("app.der"), ours);
        assertEquals(0, v.code(), v.toString());

        Path theirs = Files.writeString(dir.resolve("theirs.sh"), "#!/bin/sh\necho theirs\n");
        String signed = evmctl("ima_sign", "-a", "sha256", "--key", "app.key", "theirs.sh");
        assertTrue(signed.startsWith("exit 0"), signed);
        v = Cli.run("app", "verify", "--cert", dir.resolve("app.der"), theirs);
        assertEquals(0, v.code(), v.toString());
        assertTrue(v.out().contains("theirs.sh: signature by key " + k.out().strip() + " verified"), v.out());

        // signed, then modified: both tools refuse it; an unsigned file is refused naming the attribute
        Files.writeString(ours, "#!/bin/sh\necho modified\n");
        assertTrue(evmctl("ima_verify", "--key", "app.der", "ours.sh").startsWith("exit 1"));
        Path unsigned = Files.writeString(dir.resolve("unsigned.sh"), "x");
        v = Cli.run("app", "verify", "--cert", dir.resolve("app.der"), ours, unsigned, theirs);
        assertEquals(1, v.code(), v.toString());
        assertTrue(v.err().contains("ours.sh: signature by key " + k.out().strip() + " does not verify"), v.err());
        assertTrue(v.err().contains("unsigned.sh: has no security.ima"), v.err());
        assertTrue(v.out().contains("theirs.sh: signature by key"), v.out());
    }

    @Test
    void rsaKeysAndSignatureFiles() throws Exception {
        assertEquals(0, Cli.run("key", "new", "--type", "rsa-2048", "--out", dir.resolve("rsa")).code());
        Path f = Files.writeString(dir.resolve("prog"), "payload");
        assertEquals(0, Cli.run("app", "sign", "--sigfile", "--key", dir.resolve("rsa.key"), f).code());
        assertTrue(Files.exists(dir.resolve("prog.sig")));
        // evmctl reads FILE.sig with --sigfile
        assertTrue(evmctl("ima_verify", "--sigfile", "--key", "rsa.der", "prog").startsWith("exit 0"));
        assertEquals(0, Cli.run("app", "verify", "--sigfile", "--cert", dir.resolve("rsa.der"), f).code());
        // another key's certificate does not verify it
        assertEquals(0, Cli.run("key", "new", "--type", "ecdsa-p256", "--out", dir.resolve("other")).code());
        Cli v = Cli.run("app", "verify", "--sigfile", "--cert", dir.resolve("other.der"), f);
        assertEquals(1, v.code());
        assertTrue(v.err().contains("is not a trusted key"), v.err());
    }

    @Test
    void badKeyTypesAndKeysAreUsageErrors() throws Exception {
        Cli c = Cli.run("key", "new", "--type", "ed448", "--out", dir.resolve("x"));
        assertEquals(2, c.code());
        assertTrue(c.err().contains("--type ed448: use ed25519, ecdsa-p256, rsa-2048 or rsa-3072"), c.err());
        assertEquals(0, Cli.run("key", "new", "--out", dir.resolve("ed")).code());
        Path f = Files.writeString(dir.resolve("prog"), "payload");
        c = Cli.run("app", "sign", "--key", dir.resolve("ed.key"), f);
        assertEquals(2, c.code());
        assertTrue(c.err().contains("ed.key: "), c.err());
    }

    @Test
    void policyFromImaAllowsTheReferenceRun() throws Exception {
        byte[] log = new ImaLogWriter()
                .imaNg("boot_aggregate", ImaHashAlgo.SHA256, HashAlg.SHA256.digest(new byte[1]))
                .imaNg("/usr/bin/bash", ImaHashAlgo.SHA256, HashAlg.SHA256.digest(new byte[2]))
                .imaNg("/usr/bin/bash", ImaHashAlgo.SHA256, HashAlg.SHA256.digest(new byte[3]))
                .violation(io.trustbit.measure.ima.ImaTemplate.IMA_NG, "/var/log/x", ImaHashAlgo.SHA256)
                .toByteArray();
        Path ref = dir.resolve("reference.ima");
        Files.write(ref, log);
        Path base = dir.resolve("fleet.yaml");
        Files.copy(Path.of("..", "policies", "examples", "lab-emulated.yaml"), base);
        Cli c = Cli.run("policy", "from-ima", ref, "--exclude", "/tmp/.*", "--base", base, "--out", dir.resolve("with-runtime.yaml"));
        assertEquals(0, c.code(), c.toString());
        assertTrue(c.out().contains("2 paths, 3 digests from 4 entries (1 violations left out)"), c.out());
        Policy p = Policy.parse(Files.readAllBytes(dir.resolve("with-runtime.yaml")), "with-runtime");
        assertEquals(2, p.runtime().digests().get("/usr/bin/bash").size());
        assertEquals(List.of("/tmp/.*"), p.runtime().excludes());
        assertEquals(0, Cli.run("policy", "lint", dir.resolve("with-runtime.yaml")).code());
        // a base that already has a runtime section is refused
        c = Cli.run("policy", "from-ima", ref, "--base", dir.resolve("with-runtime.yaml"), "--out", dir.resolve("again.yaml"));
        assertEquals(2, c.code());
        assertTrue(c.err().contains("already has a runtime section"), c.err());
        // a truncated list is refused naming the entry
        Files.write(ref, java.util.Arrays.copyOf(log, log.length - 3));
        c = Cli.run("policy", "from-ima", ref, "--out", dir.resolve("x.yaml"));
        assertEquals(2, c.code());
        assertTrue(c.err().contains("IMA entry 3 at offset 0x"), c.err());
    }

    @Test
    void importKeylimeWritesTheSectionOrAWholePolicy() throws Exception {
        Path keylime = Path.of("..", "verifier-server", "src", "test", "resources", "keylime", "runtime-policy.json");
        Cli c = Cli.run("policy", "import-keylime", keylime, "--out", dir.resolve("section.yaml"));
        assertEquals(0, c.code(), c.toString());
        assertTrue(c.out().contains("5 paths, 6 digests, 3 excludes, 1 keys"), c.out());
        assertTrue(Files.readString(dir.resolve("section.yaml")).startsWith("runtime:\n"));
        c = Cli.run("policy", "import-keylime", keylime, "--base", Path.of("..", "policies", "examples", "lab-emulated.yaml"),
                "--out", dir.resolve("lab.yaml"));
        assertEquals(0, c.code(), c.toString());
        Policy p = Policy.parse(Files.readAllBytes(dir.resolve("lab.yaml")), "lab-emulated");
        Policy example = Policy.parse(Files.readAllBytes(Path.of("..", "policies", "examples", "with-runtime.yaml")), "x");
        assertEquals(example.runtime().digests(), p.runtime().digests());
        assertEquals(example.runtime().excludes(), p.runtime().excludes());
        assertEquals(example.runtime().keys(), p.runtime().keys());
        Files.writeString(dir.resolve("bad.json"), "{\"meta\": {\"version\": 3}}");
        c = Cli.run("policy", "import-keylime", dir.resolve("bad.json"), "--out", dir.resolve("y.yaml"));
        assertEquals(2, c.code());
        assertTrue(c.err().contains("meta.version: must be 1"), c.err());
    }
}
