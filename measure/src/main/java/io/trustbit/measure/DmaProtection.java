package io.trustbit.measure;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * What the VMM did against DMA from devices; it records it in PCR 18 after the launch configuration
 * (docs/launch-protocol.md, "Measurements"; vmm/README.md, "DMA protection"). The event data is the
 * whole text, so the verifier compares it exactly.
 */
public enum DmaProtection {
    /** Every device id blocked in the IOMMU device table; an assigned device reaches only its guest's memory. */
    IOMMU("iommu", "dma-protection=iommu default=deny guests=own-memory"),
    /** No IOMMU found: devices can write anywhere, the VMM included. */
    NONE("none", "dma-protection=none");

    /** Prefix of every DMA-protection event's data. */
    public static final String EVENT_PREFIX = "dma-protection=";

    private final String cliName;
    private final String eventText;

    DmaProtection(String cliName, String eventText) {
        this.cliName = cliName;
        this.eventText = eventText;
    }

    public String cliName() {
        return cliName;
    }

    /** The event data, ASCII without a terminating NUL. */
    public byte[] eventData() {
        return eventText.getBytes(StandardCharsets.US_ASCII);
    }

    public String eventText() {
        return eventText;
    }

    public static Optional<DmaProtection> fromName(String name) {
        for (DmaProtection d : values()) {
            if (d.cliName.equals(name)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /** The value whose event text is exactly {@code text}, if any. */
    public static Optional<DmaProtection> fromEventText(String text) {
        for (DmaProtection d : values()) {
            if (d.eventText.equals(text)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }
}
