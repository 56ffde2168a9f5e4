package io.trustbit.measure;

/**
 * An event log does not follow its format. The message names the event, the field and the byte offset,
 * e.g. {@code event 12 at offset 0x1a2c: eventSize 4294967295 exceeds remaining 812 bytes}.
 */
public final class EventLogFormatException extends FormatException {
    public EventLogFormatException(String message) {
        super(message);
    }

    public EventLogFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
