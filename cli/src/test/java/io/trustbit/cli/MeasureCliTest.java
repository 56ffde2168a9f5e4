package io.trustbit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustbit.measure.EventLogWriter;
import io.trustbit.measure.EventType;
import io.trustbit.measure.HashAlg;
import io.trustbit.measure.LaunchConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code trustbit launch-config} and {@code trustbit measure}: the expected PCRs equal those of an event
 * log written step by step from docs/launch-protocol.md, and PCR 17 equals the SKINIT formula.
 */
class MeasureCliTest {
    @TempDir Path dir;
    Path slb;
    Path vmm;
    byte[] slbBytes;
    byte[] vmmBytes;

    @BeforeEach
    void images() throws Exception {
        Random rnd = new Random(5);
        slbBytes = new byte[16384];
        rnd.nextBytes(slbBytes);
        slbBytes[2] = (byte) 0x00; // header word 1: measured length 0x2a00
        slbBytes[3] = (byte) 0x2a;
        vmmBytes = new byte[200_000];
        rnd.nextBytes(vmmBytes);
        slb = dir.resolve("slb.bin");
        vmm = dir.resolve("vmm.bin");
        Files.write(slb, slbBytes);
        Files.write(vmm, vmmBytes);
    }

    private static byte[] h(HashAlg a, byte[]... parts) throws Exception {
        MessageDigest md = MessageDigest.getInstance(a.jcaName());
        for (byte[] p : parts) {
            md.update(p);
        }
        return md.digest();
    }

    @Test
    void pcr17FollowsTheSkinitFormula() throws Exception {
        Cli c = Cli.run("measure", "--slb", slb, "--vmm", vmm, "--json");
        assertEquals(0, c.code(), c.toString());
        StringBuilder expected = new StringBuilder("{\"pcrs\":{");
        for (HashAlg a : List.of(HashAlg.SHA1, HashAlg.SHA256)) {
            byte[] pcr = h(a, new byte[a.size()], h(a, java.util.Arrays.copyOf(slbBytes, 0x2a00)));
            pcr = h(a, pcr, h(a, vmmBytes));
            expected.append(a == HashAlg.SHA1 ? "" : ",").append("\"").append(a.bankName()).append("\":{\"17\":\"")
                    .append(HexFormat.of().formatHex(pcr)).append("\"}");
        }
        assertEquals(expected.append("}}").toString(), c.out().strip());
    }

    @Test
    void measureEqualsReplayOfAContractLog() throws Exception {
        assertEquals(0, Cli.run("key", "new", "--out", dir.resolve("a")).code());
        assertEquals(0, Cli.run("key", "new", "--out", dir.resolve("b")).code());
        Path cfg = dir.resolve("launch.cfg");
        Cli lc = Cli.run("launch-config", "--signer", dir.resolve("a.pub") + ":2", "--signer", dir.resolve("b.pub"),
                "--cmdline", "console=com1 harness", "--out", cfg);
        assertEquals(0, lc.code(), lc.toString());
        byte[] blob = Files.readAllBytes(cfg);
        // layout: magic, version 1, N = 2, 2 × 40 bytes, u16 L, L bytes
        ByteBuffer bb = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("TBLC", new String(blob, 0, 4, StandardCharsets.US_ASCII));
        assertEquals(1, bb.getShort(4));
        assertEquals(2, bb.getShort(6));
        assertEquals(2, bb.getInt(8 + 32));
        assertEquals(0, bb.getInt(8 + 40 + 32));
        assertEquals(20, bb.getShort(8 + 80));
        assertEquals(8 + 80 + 2 + 20, blob.length);
        assertEquals("console=com1 harness", LaunchConfig.parse(blob).cmdline());

        Path g1 = dir.resolve("g1.img");
        Path g2 = dir.resolve("g2.img");
        Files.write(g1, "guest one".getBytes(StandardCharsets.US_ASCII));
        Files.write(g2, new byte[70_000]);
        assertEquals(0, Cli.run("image", "sign", "--key", dir.resolve("a.key"), "--kind", "guest", "--security-version",
                "2", g1).code());
        assertEquals(0, Cli.run("image", "sign", "--key", dir.resolve("b.key"), "--kind", "guest", "--security-version",
                "0", g2).code());
        Files.move(dir.resolve("g2.img.manifest"), dir.resolve("g2.mf"));

        Cli m = Cli.run("measure", "--slb", slb, "--vmm", vmm, "--launch-config", cfg, "--launch-type", "emulated",
                "--guest", "alpha=" + g1, "--guest", "beta=" + g2 + ":" + dir.resolve("g2.mf"), "--json");
        assertEquals(0, m.code(), m.toString());

        // the same launch as an event log, entry by entry from the contract
        EventLogWriter w = new EventLogWriter(List.of(HashAlg.SHA1, HashAlg.SHA256));
        byte[] measured = java.util.Arrays.copyOf(slbBytes, 0x2a00);
        w.event(17, EventType.TB_SKINIT_SLB, Map.of(HashAlg.SHA1, h(HashAlg.SHA1, measured), HashAlg.SHA256,
                h(HashAlg.SHA256, measured)), "skinit:slb".getBytes(StandardCharsets.US_ASCII));
        w.event(17, EventType.TB_VMM, Map.of(HashAlg.SHA1, h(HashAlg.SHA1, vmmBytes), HashAlg.SHA256,
                h(HashAlg.SHA256, vmmBytes)), "vmm".getBytes(StandardCharsets.US_ASCII));
        w.extendData(18, EventType.TB_LAUNCH_TYPE, "launch-type=emulated".getBytes(StandardCharsets.US_ASCII));
        w.event(18, EventType.TB_LAUNCH_CONFIG, Map.of(HashAlg.SHA1, h(HashAlg.SHA1, blob), HashAlg.SHA256,
                h(HashAlg.SHA256, blob)), "launch-config".getBytes(StandardCharsets.US_ASCII));
        w.extendData(18, EventType.TB_DMA_PROTECTION,
                "dma-protection=iommu default=deny guests=own-memory".getBytes(StandardCharsets.US_ASCII));
        w.extendData(19, EventType.TB_GUEST, guestRecord("alpha", Files.readAllBytes(g1), dir.resolve("a.pub"), 2));
        w.extendData(19, EventType.TB_GUEST, guestRecord("beta", Files.readAllBytes(g2), dir.resolve("b.pub"), 0));
        Path log = dir.resolve("drtm.log");
        Files.write(log, w.toByteArray());
        Cli r = Cli.run("eventlog", "replay", "--json", log);
        assertEquals(r.out(), m.out());

        // without an IOMMU the VMM records dma-protection=none: another PCR 18, the same PCR 17 and 19
        Cli none = Cli.run("measure", "--slb", slb, "--vmm", vmm, "--launch-config", cfg, "--launch-type", "emulated",
                "--dma-protection", "none", "--guest", "alpha=" + g1, "--guest", "beta=" + g2 + ":" + dir.resolve("g2.mf"),
                "--json");
        assertEquals(0, none.code(), none.toString());
        assertTrue(!none.out().equals(m.out()));
        assertEquals(2, Cli.run("measure", "--slb", slb, "--vmm", vmm, "--launch-config", cfg, "--dma-protection",
                "off").code());

        // a guest signed by a key the launch configuration does not trust would be refused
        assertEquals(0, Cli.run("key", "new", "--out", dir.resolve("c")).code());
        assertEquals(0, Cli.run("image", "sign", "--key", dir.resolve("c.key"), "--kind", "guest", "--security-version",
                "9", g1).code());
        Cli bad = Cli.run("measure", "--slb", slb, "--vmm", vmm, "--launch-config", cfg, "--guest", "alpha=" + g1, "--json");
        assertEquals(1, bad.code(), bad.toString());
        assertTrue(bad.err().startsWith("trustbit: SIGNER_KEY:"), bad.err());
    }

    /** A Linux guest: image sign --kind linux, then measure --linux predicts a version-2 record after the flat guests. */
    @Test
    void linuxGuestRecordFollowsTheContract() throws Exception {
        assertEquals(0, Cli.run("key", "new", "--out", dir.resolve("a")).code());
        Path cfg = dir.resolve("launch.cfg");
        assertEquals(0, Cli.run("launch-config", "--signer", dir.resolve("a.pub") + ":4", "--out", cfg).code());
        Path kernel = dir.resolve("vmlinuz");
        Path initrd = dir.resolve("initrd.img");
        Path flat = dir.resolve("flat.img");
        Files.write(kernel, "a kernel".getBytes(StandardCharsets.US_ASCII));
        Files.write(initrd, new byte[5000]);
        Files.write(flat, "flat guest".getBytes(StandardCharsets.US_ASCII));
        String line = "console=ttyS0 quiet";
        Cli sign = Cli.run("image", "sign", "--key", dir.resolve("a.key"), "--kind", "linux", "--security-version", "4",
                "--initrd", initrd, "--cmdline", line, kernel);
        assertEquals(0, sign.code(), sign.toString());
        assertEquals(0, Cli.run("image", "sign", "--key", dir.resolve("a.key"), "--kind", "guest", "--security-version",
                "4", flat).code());
        Cli m = Cli.run("measure", "--slb", slb, "--vmm", vmm, "--launch-config", cfg, "--launch-type", "emulated",
                "--linux", "lx=" + kernel + ":" + initrd + ":" + dir.resolve("vmlinuz.manifest"), "--guest", "flat=" + flat,
                "--json");
        assertEquals(0, m.code(), m.toString());

        byte[] first = guestRecord("flat", Files.readAllBytes(flat), dir.resolve("a.pub"), 4);
        byte[] v1 = guestRecord("lx", Files.readAllBytes(kernel), dir.resolve("a.pub"), 4);
        ByteBuffer v2 = ByteBuffer.allocate(192).order(ByteOrder.LITTLE_ENDIAN).put(v1);
        v2.putInt(4, 2);                                                    // version 2
        v2.put(h(HashAlg.SHA256, Files.readAllBytes(initrd))).put(h(HashAlg.SHA256, line.getBytes(StandardCharsets.US_ASCII)));
        for (HashAlg a : List.of(HashAlg.SHA1, HashAlg.SHA256)) {
            byte[] pcr19 = h(a, new byte[a.size()], h(a, first));
            pcr19 = h(a, pcr19, h(a, v2.array()));
            assertTrue(m.out().contains("\"19\":\"" + HexFormat.of().formatHex(pcr19) + "\""), a + ": " + m.out());
        }

        // the kernel's manifest for another initrd, or as a flat guest, is refused
        Files.write(dir.resolve("other.img"), new byte[5001]);
        Cli wrong = Cli.run("measure", "--slb", slb, "--vmm", vmm, "--launch-config", cfg,
                "--linux", "lx=" + kernel + ":" + dir.resolve("other.img") + ":" + dir.resolve("vmlinuz.manifest"));
        assertEquals(1, wrong.code(), wrong.toString());
        assertTrue(wrong.err().startsWith("trustbit: IMAGE_LENGTH:"), wrong.err());
        Cli kind = Cli.run("measure", "--slb", slb, "--vmm", vmm, "--guest", "lx=" + kernel);
        assertEquals(1, kind.code(), kind.toString());
        assertTrue(kind.err().startsWith("trustbit: KIND:"), kind.err());
        Cli usage = Cli.run("measure", "--slb", slb, "--vmm", vmm, "--linux", "lx=" + kernel);
        assertEquals(2, usage.code(), usage.toString());
    }

    /** The 128-byte guest record, field by field from docs/launch-protocol.md. */
    private static byte[] guestRecord(String name, byte[] image, Path pub, int sv) throws Exception {
        String b64 = Files.readString(pub).lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat);
        byte[] der = java.util.Base64.getDecoder().decode(b64);
        byte[] raw = java.util.Arrays.copyOfRange(der, der.length - 32, der.length);
        ByteBuffer r = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        r.put("TBGR".getBytes(StandardCharsets.US_ASCII)).putInt(1).putInt(1).putInt(0);
        r.put(h(HashAlg.SHA256, image)).put(h(HashAlg.SHA256, raw)).putInt(sv).put(new byte[12]);
        byte[] n = new byte[32];
        System.arraycopy(name.getBytes(StandardCharsets.US_ASCII), 0, n, 0, name.length());
        return r.put(n).array();
    }

    @Test
    void badInputsAreExit2() throws Exception {
        assertEquals(2, Cli.run("measure", "--slb", slb, "--vmm", vmm, "--launch-type", "unmeasured").code());
        Files.write(slb, new byte[] {0, 0, (byte) 0xff, (byte) 0xff});
        Cli c = Cli.run("measure", "--slb", slb, "--vmm", vmm);
        assertEquals(2, c.code(), c.toString());
        assertTrue(c.err().contains("measured length 65535"), c.err());
        assertEquals(2, Cli.run("launch-config", "--signer", dir.resolve("none.pub"), "--out", dir.resolve("x")).code());
        // a public key whose 32 bytes are the identity point (small order) is refused as a signer
        byte[] der = java.util.Base64.getDecoder().decode("MCowBQYDK2VwAyEAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
        Files.writeString(dir.resolve("weak.pub"), "-----BEGIN PUBLIC KEY-----\n"
                + java.util.Base64.getEncoder().encodeToString(der) + "\n-----END PUBLIC KEY-----\n");
        Cli weak = Cli.run("launch-config", "--signer", dir.resolve("weak.pub"), "--out", dir.resolve("x"));
        assertEquals(2, weak.code(), weak.toString());
        assertTrue(weak.err().contains("not a valid Ed25519 public key"), weak.err());
    }
}
