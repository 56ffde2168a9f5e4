package io.trustbit.measure.ima;

import io.trustbit.measure.FormatException;

/**
 * An IMA measurement list does not follow its format. The message names the entry, the field and the byte
 * offset, e.g. {@code IMA entry 12 at offset 0x1a2c: template data length 70000 exceeds the limit of 65536}.
 */
public final class ImaFormatException extends FormatException {
    public ImaFormatException(String message) {
        super(message);
    }

    public ImaFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
