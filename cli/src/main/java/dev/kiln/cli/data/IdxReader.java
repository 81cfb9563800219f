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
 * (unsigned bytes), one unsigned int per dimension, then the bytes. The header is checked against
 * what the file can hold before anything is allocated, and the data is allocated as it arrives, so
 * a corrupt header costs no memory. Every failure names the file.
 */
public final class IdxReader {
    public static final int IMAGES_MAGIC = 0x00000803;
    public static final int LABELS_MAGIC = 0x00000801;
    /** Deflate expands at most 1032:1, so a gzip file of n bytes holds at most 1032 n. */
    private static final long MAX_DEFLATE_RATIO = 1032;
    /** The largest byte[] a JVM allocates. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

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
                long d = Integer.toUnsignedLong(in.readInt());
                if (d > MAX_ARRAY) {
                    throw new UserError(file + ": corrupt header, dimension " + i + " is " + d + ", over the " + MAX_ARRAY
                            + " bytes one file can be read into");
                }
                dims[i] = (int) d;
                size = Math.multiplyExact(size, d); // stays below 2^62: each factor is checked against MAX_ARRAY below
                if (size > MAX_ARRAY) {
                    throw new UserError(file + ": corrupt header, dimensions " + dimsSoFar(dims, i) + " make over "
                            + MAX_ARRAY + " bytes, too large for one file");
                }
            }
            long most = Files.size(file) * MAX_DEFLATE_RATIO;
            if (size > most) {
                throw new UserError(file + ": corrupt header, dimensions " + dimsSoFar(dims, dims.length - 1) + " announce "
                        + size + " bytes but a gzip file of " + Files.size(file) + " bytes holds at most " + most);
            }
            byte[] data = in.readNBytes((int) size); // allocates as the bytes arrive
            if (data.length < size) {
                throw new EOFException();
            }
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

    private static String dimsSoFar(int[] dims, int last) {
        return java.util.Arrays.toString(java.util.Arrays.copyOf(dims, last + 1));
    }
}
