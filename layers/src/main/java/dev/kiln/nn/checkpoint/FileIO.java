package dev.kiln.nn.checkpoint;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Whole reads and writes on a channel (a single read or write call may move fewer bytes). */
final class FileIO {
    private FileIO() {
    }

    /** Reads exactly n bytes at position into a new buffer, flipped for reading. */
    static ByteBuffer readFully(FileChannel ch, long position, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        readFully(ch, position, b);
        return b.flip();
    }

    /** Fills b's remaining bytes from the file at position; the file ending first is an EOFException. */
    static void readFully(FileChannel ch, long position, ByteBuffer b) throws IOException {
        long at = position - b.position();
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) {
                throw new EOFException("the file ends at byte " + (at + b.position()) + " (" + b.remaining()
                        + " more bytes expected)");
            }
        }
    }

    static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
