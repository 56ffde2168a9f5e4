package io.trustbit.cli;

import io.trustbit.measure.ImageDigest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reading input files with a size cap; every failure is a bad-input {@link CliException}. */
public final class Inputs {
    private Inputs() {}

    public static byte[] read(Path file, long maxBytes, String what) {
        try {
            long size = Files.size(file);
            if (size > maxBytes) {
                throw CliException.badInput(what + " " + file + " has " + size + " bytes, more than " + maxBytes, null);
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw CliException.badInput(what + " " + file + " does not exist", e);
        } catch (IOException e) {
            throw CliException.badInput("cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    /** The passphrase: the first line of the file, without its line end. */
    static char[] passphrase(Path file) {
        if (file == null) {
            return null;
        }
        String s = new String(read(file, 4096, "passphrase file"), StandardCharsets.UTF_8);
        int nl = s.indexOf('\n');
        if (nl >= 0) {
            s = s.substring(0, nl);
        }
        if (s.endsWith("\r")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.isEmpty()) {
            throw CliException.badInput("passphrase file " + file + " is empty", null);
        }
        return s.toCharArray();
    }

    /** The digest of an image file; a missing or unreadable image is bad input. */
    public static ImageDigest imageDigest(Path image, java.util.function.LongConsumer progress) {
        try {
            return ImageDigest.of(image, progress);
        } catch (NoSuchFileException e) {
            throw CliException.badInput("image " + image + " does not exist", e);
        } catch (IOException e) {
            throw CliException.badInput("cannot read image " + image + ": " + e.getMessage(), e);
        }
    }

    /** Where an image's signed manifest is by default: IMAGE.manifest beside it. */
    public static Path manifestPath(Path image) {
        return image.resolveSibling(image.getFileName() + ".manifest");
    }
}
