package io.trustbit.measure;

import java.util.Map;

/**
 * Event types of TCG PC Client event logs (TCG PC Client Platform Firmware Profile 1.05, §10.4.1,
 * table 9) and of our DRTM log (docs/launch-protocol.md, "Measurements"). An event type is not
 * covered by the PCR digest: never trust or skip an event because of its type.
 */
public final class EventType {
    public static final long EV_PREBOOT_CERT = 0x0;
    public static final long EV_POST_CODE = 0x1;
    public static final long EV_NO_ACTION = 0x3;
    public static final long EV_SEPARATOR = 0x4;
    public static final long EV_ACTION = 0x5;
    public static final long EV_S_CRTM_VERSION = 0x8;
    public static final long EV_IPL = 0xD;
    public static final long EV_EFI_HCRTM_EVENT = 0x80000010L;

    /** DRTM events of the trustbit launch chain (docs/launch-protocol.md). */
    public static final long TB_SKINIT_SLB = 0x401;
    public static final long TB_VMM = 0x402;
    public static final long TB_LAUNCH_TYPE = 0x403;
    public static final long TB_LAUNCH_CONFIG = 0x404;
    public static final long TB_GUEST = 0x405;
    public static final long TB_DMA_PROTECTION = 0x406;

    private static final Map<Long, String> NAMES = Map.ofEntries(
            Map.entry(0x0L, "EV_PREBOOT_CERT"),
            Map.entry(0x1L, "EV_POST_CODE"),
            Map.entry(0x2L, "EV_UNUSED"),
            Map.entry(0x3L, "EV_NO_ACTION"),
            Map.entry(0x4L, "EV_SEPARATOR"),
            Map.entry(0x5L, "EV_ACTION"),
            Map.entry(0x6L, "EV_EVENT_TAG"),
            Map.entry(0x7L, "EV_S_CRTM_CONTENTS"),
            Map.entry(0x8L, "EV_S_CRTM_VERSION"),
            Map.entry(0x9L, "EV_CPU_MICROCODE"),
            Map.entry(0xAL, "EV_PLATFORM_CONFIG_FLAGS"),
            Map.entry(0xBL, "EV_TABLE_OF_DEVICES"),
            Map.entry(0xCL, "EV_COMPACT_HASH"),
            Map.entry(0xDL, "EV_IPL"),
            Map.entry(0xEL, "EV_IPL_PARTITION_DATA"),
            Map.entry(0xFL, "EV_NONHOST_CODE"),
            Map.entry(0x10L, "EV_NONHOST_CONFIG"),
            Map.entry(0x11L, "EV_NONHOST_INFO"),
            Map.entry(0x12L, "EV_OMIT_BOOT_DEVICE_EVENTS"),
            Map.entry(0x80000001L, "EV_EFI_VARIABLE_DRIVER_CONFIG"),
            Map.entry(0x80000002L, "EV_EFI_VARIABLE_BOOT"),
            Map.entry(0x80000003L, "EV_EFI_BOOT_SERVICES_APPLICATION"),
            Map.entry(0x80000004L, "EV_EFI_BOOT_SERVICES_DRIVER"),
            Map.entry(0x80000005L, "EV_EFI_RUNTIME_SERVICES_DRIVER"),
            Map.entry(0x80000006L, "EV_EFI_GPT_EVENT"),
            Map.entry(0x80000007L, "EV_EFI_ACTION"),
            Map.entry(0x80000008L, "EV_EFI_PLATFORM_FIRMWARE_BLOB"),
            Map.entry(0x80000009L, "EV_EFI_HANDOFF_TABLES"),
            Map.entry(0x8000000AL, "EV_EFI_PLATFORM_FIRMWARE_BLOB2"),
            Map.entry(0x8000000BL, "EV_EFI_HANDOFF_TABLES2"),
            Map.entry(0x8000000CL, "EV_EFI_VARIABLE_BOOT2"),
            Map.entry(0x80000010L, "EV_EFI_HCRTM_EVENT"),
            Map.entry(0x800000E0L, "EV_EFI_VARIABLE_AUTHORITY"),
            Map.entry(0x800000E1L, "EV_EFI_SPDM_FIRMWARE_BLOB"),
            Map.entry(0x800000E2L, "EV_EFI_SPDM_FIRMWARE_CONFIG"),
            Map.entry(TB_SKINIT_SLB, "TB_SKINIT_SLB"),
            Map.entry(TB_VMM, "TB_VMM"),
            Map.entry(TB_LAUNCH_TYPE, "TB_LAUNCH_TYPE"),
            Map.entry(TB_LAUNCH_CONFIG, "TB_LAUNCH_CONFIG"),
            Map.entry(TB_GUEST, "TB_GUEST"),
            Map.entry(TB_DMA_PROTECTION, "TB_DMA_PROTECTION"));

    private EventType() {}

    /** The spec name of a type, or {@code 0x%08x} for one we do not know. */
    public static String name(long type) {
        String n = NAMES.get(type);
        return n != null ? n : String.format("0x%08x", type);
    }
}
