package io.trustbit.measure;

/**
 * Untrusted bytes (an event log, a manifest, a launch configuration) do not follow their format. The
 * message is one line naming the field and its byte offset.
 */
public class FormatException extends Exception {
    public FormatException(String message) {
        super(message);
    }

    public FormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
