package io.trustbit.measure;

import io.trustbit.measure.internal.Hex;
import java.util.ArrayList;
import java.util.List;

/**
 * The PCR values a correct launch produces (docs/launch-protocol.md, "Measurements"), in the SHA-1 and
 * SHA-256 banks:
 * <ul>
 *   <li>PCR 17 = H(0…0 ‖ H(SLB[0:len])) (SKINIT, len = 16-bit word 1 of the SLB header), then
 *       extended with H(vmm.bin);</li>
 *   <li>PCR 18 = extend H("launch-type=…"), then H(launch configuration blob), then H("dma-protection=…")
 *       (recorded by the VMM) — only with a blob;</li>
 *   <li>PCR 19 = extend H(guest record) for each guest, in module order — only with guests.</li>
 * </ul>
 */
public final class ExpectedMeasurements {
    public static final List<HashAlg> BANKS = List.of(HashAlg.SHA1, HashAlg.SHA256);
    public static final int SLB_MAX = 65536;

    /** A guest image the VMM is expected to launch; {@code initrd} only for a Linux guest (else null). */
    public record Guest(String name, ImageDigest image, ImageManifest manifest, ImageDigest initrd) {
        public Guest(String name, ImageDigest image, ImageManifest manifest) {
            this(name, image, manifest, null);
        }
    }

    private final byte[] slb;
    private final byte[] vmmSha1;
    private final byte[] vmmSha256;
    private final LaunchType launchType;
    private final byte[] launchConfig;
    private final DmaProtection dmaProtection;
    private final List<Guest> guests;

    private ExpectedMeasurements(Builder b) {
        this.slb = b.slb;
        this.vmmSha1 = b.vmmSha1;
        this.vmmSha256 = b.vmmSha256;
        this.launchType = b.launchType;
        this.launchConfig = b.launchConfig;
        this.dmaProtection = b.dmaProtection;
        this.guests = List.copyOf(b.guests);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The SLB bytes SKINIT hashes: [0, word 1 of the header). */
    public static byte[] slbMeasuredBytes(byte[] slb) throws FormatException {
        if (slb.length < 4) {
            throw new FormatException("slb: " + slb.length + " bytes is too short for the SKINIT header");
        }
        if (slb.length > SLB_MAX) {
            throw new FormatException("slb: " + slb.length + " bytes exceeds " + SLB_MAX);
        }
        int len = (slb[2] & 0xFF) | (slb[3] & 0xFF) << 8;
        if (len < 4 || len > slb.length) {
            throw new FormatException("slb: measured length " + len + " (header word 1, offset 0x2) outside 4.."
                    + slb.length);
        }
        return java.util.Arrays.copyOf(slb, len);
    }

    /** Expected PCR 17, 18 (with a launch configuration) and 19 (with guests) in SHA-1 and SHA-256. */
    public PcrValues pcrValues() throws FormatException {
        byte[] measured = slbMeasuredBytes(slb);
        PcrValues.Builder out = PcrValues.builder();
        for (HashAlg alg : BANKS) {
            PcrBank bank = new PcrBank(alg);
            bank.extend(17, alg.digest(measured));
            bank.extend(17, alg == HashAlg.SHA1 ? vmmSha1 : vmmSha256);
            out.put(alg, 17, bank.value(17));
            if (launchConfig != null) {
                bank.extend(18, alg.digest(launchType.eventData()));
                bank.extend(18, alg.digest(launchConfig));
                bank.extend(18, alg.digest(dmaProtection.eventData()));
                out.put(alg, 18, bank.value(18));
            }
            for (Guest g : guests) {
                bank.extend(19, alg.digest(GuestRecord.launched(g.name(), g.manifest()).encode()));
            }
            if (!guests.isEmpty()) {
                out.put(alg, 19, bank.value(19));
            }
        }
        return out.build();
    }

    /** Collects the inputs; {@link #build} checks them against each other. */
    public static final class Builder {
        private byte[] slb;
        private byte[] vmmSha1;
        private byte[] vmmSha256;
        private LaunchType launchType = LaunchType.SKINIT;
        private byte[] launchConfig;
        private DmaProtection dmaProtection = DmaProtection.IOMMU;
        private final List<Guest> guests = new ArrayList<>();

        public Builder slb(byte[] slb) {
            this.slb = slb.clone();
            return this;
        }

        public Builder vmm(byte[] vmm) {
            this.vmmSha1 = HashAlg.SHA1.digest(vmm);
            this.vmmSha256 = HashAlg.SHA256.digest(vmm);
            return this;
        }

        public Builder launchType(LaunchType t) {
            this.launchType = t;
            return this;
        }

        public Builder launchConfig(byte[] blob) {
            this.launchConfig = blob.clone();
            return this;
        }

        /** What the VMM finds and records in PCR 18 (default: an IOMMU, as on a supported machine). */
        public Builder dmaProtection(DmaProtection d) {
            this.dmaProtection = d;
            return this;
        }

        public Builder guest(Guest g) {
            guests.add(g);
            return this;
        }

        /**
         * Checks that the VMM would launch every guest: its image matches the manifest, and, with a
         * launch configuration, the manifest verifies under one of its signers at or above that
         * signer's minimum security version. Without one, only image and manifest are compared.
         */
        public ExpectedMeasurements build() throws FormatException, ManifestVerificationException {
            if (slb == null || vmmSha256 == null) {
                throw new IllegalStateException("the SLB and the VMM are required");
            }
            LaunchConfig config = launchConfig == null ? null : LaunchConfig.parse(launchConfig);
            List<String> names = new ArrayList<>();
            for (Guest g : guests) {
                if (names.contains(g.name())) {
                    throw new IllegalArgumentException("guest name " + g.name() + " given twice");
                }
                names.add(g.name());
                checkLaunchable(g, config);
            }
            return new ExpectedMeasurements(this);
        }

        private static void checkLaunchable(Guest g, LaunchConfig config) throws ManifestVerificationException {
            ImageKind kind = g.initrd() != null ? ImageKind.LINUX : ImageKind.GUEST;
            if (g.manifest().kind() != kind) {
                throw new ManifestVerificationException(ManifestVerificationException.Reason.KIND, "guest "
                        + g.name() + ": the manifest is for a " + g.manifest().kind().cliName() + " image, not a "
                        + kind.cliName() + " image");
            }
            if (config == null) {
                ImageManifest m = g.manifest();
                ImageManifest.LinuxPart lx = m.linux();
                if (m.imageLength() != g.image().length()
                        || !java.security.MessageDigest.isEqual(m.imageSha256(), g.image().sha256())
                        || (lx != null && (lx.initrdLength() != g.initrd().length()
                                || !java.security.MessageDigest.isEqual(lx.initrdSha256(), g.initrd().sha256())))) {
                    throw new ManifestVerificationException(ManifestVerificationException.Reason.IMAGE_DIGEST,
                            "guest " + g.name() + ": image does not match its manifest");
                }
                return;
            }
            byte[] keyId = g.manifest().signerKeyId();
            for (LaunchConfig.Signer s : config.signers()) {
                if (java.security.MessageDigest.isEqual(s.key().keyId(), keyId)) {
                    ImageVerifier.verify(g.manifest(), g.image(), g.initrd(), s.key(), new ImageVerifier.Requirements(
                            java.util.Optional.of(kind), s.minSecurityVersion()));
                    return;
                }
            }
            throw new ManifestVerificationException(ManifestVerificationException.Reason.SIGNER_KEY, "guest "
                    + g.name() + ": signer " + Hex.of(keyId) + " is not a trusted signer of the launch configuration");
        }
    }
}
