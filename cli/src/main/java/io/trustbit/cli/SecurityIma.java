package io.trustbit.cli;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The {@code security.ima} extended attribute of a file, through the C library's setxattr(2) and
 * getxattr(2) (the JDK's attribute views reach only the {@code user.} namespace). Writing it needs
 * CAP_SYS_ADMIN and a filesystem with security xattrs (ext4, xfs, btrfs, tmpfs).
 */
final class SecurityIma {
    static final String NAME = "security.ima";
    /** Larger than any signature v2 value (header 9 bytes + an RSA-8192 signature). */
    private static final int MAX = 8 * 1024;
    private static final int ENODATA = 61;

    private interface LibC extends Library {
        int setxattr(String path, String name, byte[] value, long size, int flags) throws LastErrorException;

        long getxattr(String path, String name, byte[] value, long size) throws LastErrorException;

        String strerror(int errno);
    }

    private static LibC libc;

    private SecurityIma() {}

    private static synchronized LibC libc() {
        if (libc == null) {
            libc = Native.load("c", LibC.class);
        }
        return libc;
    }

    static void write(Path file, byte[] value) throws IOException {
        try {
            libc().setxattr(file.toString(), NAME, value, value.length, 0);
        } catch (LastErrorException e) {
            throw new IOException("cannot set " + NAME + " on " + file + ": " + libc().strerror(e.getErrorCode())
                    + " (needs root and a filesystem with security xattrs)", e);
        }
    }

    /** The attribute's value, or null if the file has none. */
    static byte[] read(Path file) throws IOException {
        byte[] buf = new byte[MAX];
        try {
            long n = libc().getxattr(file.toString(), NAME, buf, buf.length);
            return Arrays.copyOf(buf, (int) n);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == ENODATA) {
                return null;
            }
            throw new IOException("cannot read " + NAME + " of " + file + ": " + libc().strerror(e.getErrorCode()), e);
        }
    }
}
