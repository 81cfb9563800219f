package dev.kiln.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks, before any work is done, that an output path given on the command line can be written,
 * so a bad one is a one-line {@link UserError} rather than a stack trace at the end (nothing is
 * created here).
 */
public final class OutputPaths {
    private OutputPaths() {
    }

    /** dir is a directory, or can be created: its nearest existing ancestor is a writable directory. */
    public static void checkDirectory(Path dir, String option) {
        Path abs = dir.toAbsolutePath().normalize();
        if (Files.exists(abs) && !Files.isDirectory(abs)) {
            throw new UserError(option + " " + dir + " is a file, not a directory");
        }
        checkWritableDirectory(dir, nearestExisting(abs), option);
    }

    /** file can be (re)written: it is not a directory and its directory exists and is writable. */
    public static void checkFile(Path file, String option) {
        Path abs = file.toAbsolutePath().normalize();
        if (Files.isDirectory(abs)) {
            throw new UserError(option + " " + file + " is a directory, not a file");
        }
        Path parent = abs.getParent();
        if (!Files.exists(parent)) {
            Path existing = nearestExisting(parent);
            throw new UserError(option + " " + file + ": " + (Files.isDirectory(existing)
                    ? "directory " + parent + " does not exist" : existing + " is a file, not a directory"));
        }
        checkWritableDirectory(file, parent, option);
    }

    private static void checkWritableDirectory(Path asked, Path dir, String option) {
        if (!Files.isDirectory(dir)) {
            throw new UserError(option + " " + asked + " cannot be created: " + dir + " is a file, not a directory");
        }
        if (!Files.isWritable(dir)) {
            throw new UserError(option + " " + asked + ": directory " + dir + " is not writable");
        }
    }

    private static Path nearestExisting(Path abs) {
        Path p = abs;
        while (!Files.exists(p)) {
            p = p.getParent(); // the root exists, so this ends
        }
        return p;
    }
}
