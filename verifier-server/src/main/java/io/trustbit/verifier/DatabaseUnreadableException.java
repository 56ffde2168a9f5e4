package io.trustbit.verifier;

import java.sql.SQLException;

/**
 * The embedded database cannot be used as it is: its file is unreadable, missing, opened empty although the
 * verifier had used it, or rebuilt by recovery and not yet accepted. The message is one line naming the file,
 * the reason and the command that leads back (docs/verifier.md "Recovery of the embedded database"). The
 * verifier refuses to start rather than begin with a fresh database.
 */
public final class DatabaseUnreadableException extends SQLException {
    private static final long serialVersionUID = 1L;

    public DatabaseUnreadableException(String message, Throwable cause) {
        super(message, cause);
    }
}
