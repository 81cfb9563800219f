package dev.kiln.nn.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces a file all at once: the content goes to a temp file in the same directory, is forced to
 * disk, then renamed over the target, so a reader (or a run killed mid-write) sees the old file or
 * the new one, never a part. A kill can still leave the temp file behind: {@link #deleteStale}
 * removes those of a target.
 */
public final class AtomicFile {
    private static final String TEMP_SUFFIX = ".tmp";

    /** Writes the content to the channel it is given. */
    public interface Content {
        void writeTo(FileChannel ch) throws IOException;
    }

    private AtomicFile() {
    }

    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, ch -> FileIO.writeFully(ch, ByteBuffer.wrap(bytes)));
    }

    public static void write(Path target, Content content) throws IOException {
        Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), tempPrefix(target), TEMP_SUFFIX);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                content.writeTo(ch);
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Deletes the temp files a killed {@link #write} of target left in its directory. */
    public static void deleteStale(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        String prefix = tempPrefix(target);
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, p -> isTemp(p.getFileName().toString(), prefix))) {
            for (Path p : temps) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** createTempFile names: the prefix, digits (maybe a minus sign), the suffix. */
    private static boolean isTemp(String name, String prefix) {
        return name.length() > prefix.length() + TEMP_SUFFIX.length() && name.startsWith(prefix) && name.endsWith(TEMP_SUFFIX)
                && name.substring(prefix.length(), name.length() - TEMP_SUFFIX.length()).matches("-?[0-9]+");
    }

    private static String tempPrefix(Path target) {
        return target.getFileName().toString();
    }
}
