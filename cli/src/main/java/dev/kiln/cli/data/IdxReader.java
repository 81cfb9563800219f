package dev.kiln.cli.data;

import dev.kiln.cli.UserError;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads gzip-compressed IDX files (the MNIST format): a big-endian magic {@code 0x0000 08 <ndims>}
 * (unsigned bytes), one int per dimension, then the bytes. Every failure names the file.
 */
public final class IdxReader {
    public static final int IMAGES_MAGIC = 0x00000803;
    public static final int LABELS_MAGIC = 0x00000801;

    /** dims: the sizes from the header; data: the unsigned bytes, row-major. */
    public record Idx(int[] dims, byte[] data) {
        public int count() {
            return dims[0];
        }
    }

    private IdxReader() {
    }

    public static Idx read(Path file, int expectedMagic) {
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new GZIPInputStream(raw, 1 << 16))) {
            int magic = in.readInt();
            if (magic != expectedMagic) {
                throw new UserError(String.format("%s: wrong magic number 0x%08x (expected 0x%08x for %s); not an IDX %s file",
                        file, magic, expectedMagic, expectedMagic == IMAGES_MAGIC ? "images" : "labels",
                        expectedMagic == IMAGES_MAGIC ? "images" : "labels"));
            }
            int[] dims = new int[magic & 0xff];
            long size = 1;
            for (int i = 0; i < dims.length; i++) {
                dims[i] = in.readInt();
                if (dims[i] < 0) {
                    throw new UserError(file + ": corrupt header, dimension " + i + " is " + dims[i]);
                }
                size *= dims[i];
            }
            if (size > Integer.MAX_VALUE) {
                throw new UserError(file + ": corrupt header, " + size + " bytes of data is too large");
            }
            byte[] data = new byte[(int) size];
            in.readFully(data);
            return new Idx(dims, data);
        } catch (EOFException e) {
            throw new UserError(file + ": truncated (the file ends before the data its header announces); "
                    + "reinstall it with apt-get install --reinstall -y dataset-fashion-mnist", e);
        } catch (ZipException e) {
            throw new UserError(file + ": corrupt gzip data (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new UserError(file + ": cannot read (" + e + ")", e);
        }
    }
}
