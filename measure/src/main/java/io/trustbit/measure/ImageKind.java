package io.trustbit.measure;

import java.util.Optional;

/** The image kind field of a manifest (docs/launch-protocol.md, "Image manifest"). */
public enum ImageKind {
    VMM(1, "vmm"),
    GUEST(2, "guest"),
    /** A Linux guest: the manifest also binds the initrd and the kernel command line. */
    LINUX(3, "linux");

    private final int id;
    private final String cliName;

    ImageKind(int id, String cliName) {
        this.id = id;
        this.cliName = cliName;
    }

    public int id() {
        return id;
    }

    /** The name used on the command line: {@code vmm} or {@code guest}. */
    public String cliName() {
        return cliName;
    }

    public static Optional<ImageKind> fromId(int id) {
        for (ImageKind k : values()) {
            if (k.id == id) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    public static Optional<ImageKind> fromCliName(String name) {
        for (ImageKind k : values()) {
            if (k.cliName.equals(name)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
