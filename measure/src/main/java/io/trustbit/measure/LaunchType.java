package io.trustbit.measure;

/** How the launch was measured; the SLB records it in PCR 18 as {@code launch-type=NAME}. */
public enum LaunchType {
    /** The CPU executed SKINIT. */
    SKINIT("skinit"),
    /** No SKINIT (emulator); the harness reproduced the CPU's measurement at locality 4. */
    EMULATED("emulated"),
    /** PCR 17 did not hold the faithful value. */
    UNMEASURED("unmeasured");

    private final String eventName;

    LaunchType(String eventName) {
        this.eventName = eventName;
    }

    public String eventName() {
        return eventName;
    }

    /** The event data of the launch-type event: {@code launch-type=skinit} etc. */
    public byte[] eventData() {
        return ("launch-type=" + eventName).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    public static java.util.Optional<LaunchType> fromName(String name) {
        for (LaunchType t : values()) {
            if (t.eventName.equals(name)) {
                return java.util.Optional.of(t);
            }
        }
        return java.util.Optional.empty();
    }
}
