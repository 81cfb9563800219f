package dev.kiln.nn.checkpoint;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.HalfFloats;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * A tensor's elements to and from a file, little-endian, through a chunk buffer of bounded size, so
 * no buffer ever holds a whole tensor: a tensor of 2 GiB or more is written and read like any other.
 */
final class TensorBytes {
    private final ByteBuffer chunk;

    /** chunkBytes: a multiple of 8, so every chunk holds whole elements of every dtype. */
    TensorBytes(int chunkBytes) {
        if (chunkBytes < 8 || chunkBytes % 8 != 0) {
            throw new IllegalArgumentException("TensorBytes: chunk of " + chunkBytes + " bytes is not a positive multiple of 8");
        }
        chunk = ByteBuffer.allocate(chunkBytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Appends t's elements (row-major) at the channel's position. */
    void write(FileChannel ch, Tensor t) throws IOException {
        Object array = switch (t.dtype()) {
            case FLOAT32 -> t.toFloatArray();
            case FLOAT64 -> t.toDoubleArray();
            case INT64 -> t.toLongArray();
            case BOOL -> t.toBooleanArray();
            case BFLOAT16, FLOAT16 -> halfBits(t);
        };
        int size = t.dtype().byteSize();
        int perChunk = chunk.capacity() / size;
        for (int from = 0; from < t.numel(); from += perChunk) {
            int n = Math.min(perChunk, t.numel() - from);
            chunk.clear().limit(n * size);
            put(array, from, n);
            FileIO.writeFully(ch, chunk);
        }
    }

    /** A CPU tensor of dtype and shape from the bytes at position (as many as numel * dtype size). */
    Tensor read(FileChannel ch, long position, DType dtype, int[] shape) throws IOException {
        int numel = Shape.numel(shape);
        Object array = newArray(dtype, numel);
        int size = dtype.byteSize();
        int perChunk = chunk.capacity() / size;
        for (int from = 0; from < numel; from += perChunk) {
            int n = Math.min(perChunk, numel - from);
            chunk.clear().limit(n * size);
            FileIO.readFully(ch, Math.addExact(position, (long) from * size), chunk);
            chunk.flip();
            get(array, from, n);
        }
        if (array instanceof float[] a) {
            return Tensor.fromArray(a, shape);
        } else if (array instanceof double[] a) {
            return Tensor.fromArray(a, shape);
        } else if (array instanceof long[] a) {
            return Tensor.fromArray(a, shape);
        } else if (array instanceof short[] a) {
            float[] values = new float[a.length];   // every 16-bit float is a float: exact (a NaN's payload aside)
            for (int i = 0; i < a.length; i++) {
                values[i] = HalfFloats.toFloat(dtype, a[i]);
            }
            return Tensor.fromArray(values, shape).to(dtype);
        }
        return Tensor.fromArray((boolean[]) array, shape);
    }

    /** A bfloat16 or float16 tensor's elements as their bits. */
    private static short[] halfBits(Tensor t) {
        float[] values = t.toFloatArray();
        short[] bits = new short[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = HalfFloats.fromFloat(t.dtype(), values[i]);
        }
        return bits;
    }

    /** Elements [from, from + n) of array into the chunk, which holds exactly their bytes. */
    private void put(Object array, int from, int n) {
        if (array instanceof float[] a) {
            chunk.asFloatBuffer().put(a, from, n);
        } else if (array instanceof double[] a) {
            chunk.asDoubleBuffer().put(a, from, n);
        } else if (array instanceof long[] a) {
            chunk.asLongBuffer().put(a, from, n);
        } else if (array instanceof short[] a) {
            chunk.asShortBuffer().put(a, from, n);
        } else {
            boolean[] a = (boolean[]) array;
            for (int i = 0; i < n; i++) {
                chunk.put(i, (byte) (a[from + i] ? 1 : 0));
            }
        }
    }

    /** The chunk's bytes into elements [from, from + n) of array. */
    private void get(Object array, int from, int n) {
        if (array instanceof float[] a) {
            chunk.asFloatBuffer().get(a, from, n);
        } else if (array instanceof double[] a) {
            chunk.asDoubleBuffer().get(a, from, n);
        } else if (array instanceof long[] a) {
            chunk.asLongBuffer().get(a, from, n);
        } else if (array instanceof short[] a) {
            chunk.asShortBuffer().get(a, from, n);
        } else {
            boolean[] a = (boolean[]) array;
            for (int i = 0; i < n; i++) {
                a[from + i] = chunk.get(i) != 0;
            }
        }
    }

    private static Object newArray(DType dtype, int n) {
        switch (dtype) {
            case FLOAT32: return new float[n];
            case FLOAT64: return new double[n];
            case INT64: return new long[n];
            case BFLOAT16: case FLOAT16: return new short[n];
            default: return new boolean[n];
        }
    }
}
