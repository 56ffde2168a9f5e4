package io.trustbit.measure;

import java.util.List;

/**
 * Fields of the Spec ID Event03 header of a crypto-agile log (TCG PC Client PFP 1.05, §10.4.5.1,
 * TCG_EfiSpecIdEvent).
 */
public record SpecIdEvent(long platformClass, int specVersionMinor, int specVersionMajor, int specErrata,
        int uintnSize, List<HashAlg> algorithms, byte[] vendorInfo) {
    public SpecIdEvent {
        algorithms = List.copyOf(algorithms);
        vendorInfo = vendorInfo.clone();
    }

    @Override
    public byte[] vendorInfo() {
        return vendorInfo.clone();
    }
}
