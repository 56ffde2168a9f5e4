package io.trustbit.measure.ima;

/**
 * One IMA entry the runtime policy does not allow.
 *
 * @param index the entry's position in the measurement list
 * @param path the file the entry names
 * @param rule the rule that refused it: {@code runtime.unlisted} (path not in the allowlist, not excluded,
 *     no signature by a trusted key), {@code runtime.digest} (path listed with other digests),
 *     {@code runtime.signature} (a signature by a trusted key that does not verify, or a malformed one),
 *     {@code runtime.violation} (a measurement violation), {@code runtime.boot-aggregate}
 * @param detail what was found, e.g. the digest
 */
public record ImaFinding(long index, String path, String rule, String detail) {
    @Override
    public String toString() {
        return rule + ": " + path + " (entry " + index + "): " + detail;
    }
}
