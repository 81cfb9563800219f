package dev.kiln.cpu;

import dev.kiln.DType;
import dev.kiln.Shape;
import dev.kiln.Tensor;

/**
 * The elementwise driver: reads broadcast, strided inputs in chunks, applies a chunk kernel and
 * writes a new contiguous output (or a given view), in parallel over chunks.
 */
final class CpuMap {
    static final int CHUNK = 2048;

    private CpuMap() {
    }

    /** out[0..len) = f(in[k][0..len)) over double chunks. */
    @FunctionalInterface
    interface DoubleKernel {
        void apply(double[][] in, double[] out, int len);
    }

    /** out[0..len) = f(in[k][0..len)) over long chunks (int64 and bool, exact). */
    @FunctionalInterface
    interface LongKernel {
        void apply(long[][] in, long[] out, int len);
    }

    static Tensor newTensor(int[] shape, DType dtype) {
        return Tensor.wrap(CpuStorage.allocate(dtype, Shape.numel(shape)), shape);
    }

    static Tensor mapDouble(int[] shape, DType outType, DoubleKernel f, Tensor... inputs) {
        Tensor out = newTensor(shape, outType);
        into(out, f, inputs);
        return out;
    }

    static Tensor mapLong(int[] shape, DType outType, LongKernel f, Tensor... inputs) {
        Tensor out = newTensor(shape, outType);
        into(out, f, inputs);
        return out;
    }

    /** Writes f(inputs broadcast to out's shape) into the view out. */
    static void into(Tensor out, DoubleKernel f, Tensor... inputs) {
        Strided[] v = views(out, inputs);
        int n = out.numel();
        int chunks = (n + CHUNK - 1) / CHUNK;
        Parallel.forRange(chunks, 4, (c0, c1) -> {
            double[][] in = new double[inputs.length][CHUNK];
            double[] o = new double[CHUNK];
            for (int c = c0; c < c1; c++) {
                int pos = c * CHUNK;
                int len = Math.min(CHUNK, n - pos);
                for (int k = 0; k < inputs.length; k++) {
                    v[k + 1].read(pos, len, in[k]);
                }
                f.apply(in, o, len);
                v[0].write(pos, len, o);
            }
        });
    }

    static void into(Tensor out, LongKernel f, Tensor... inputs) {
        Strided[] v = views(out, inputs);
        int n = out.numel();
        int chunks = (n + CHUNK - 1) / CHUNK;
        Parallel.forRange(chunks, 4, (c0, c1) -> {
            long[][] in = new long[inputs.length][CHUNK];
            long[] o = new long[CHUNK];
            for (int c = c0; c < c1; c++) {
                int pos = c * CHUNK;
                int len = Math.min(CHUNK, n - pos);
                for (int k = 0; k < inputs.length; k++) {
                    v[k + 1].read(pos, len, in[k]);
                }
                f.apply(in, o, len);
                v[0].write(pos, len, o);
            }
        });
    }

    private static Strided[] views(Tensor out, Tensor[] inputs) {
        int[] shape = out.shape();
        Strided[] v = new Strided[inputs.length + 1];
        v[0] = Strided.of(out);
        for (int k = 0; k < inputs.length; k++) {
            v[k + 1] = Strided.of(inputs[k], shape);
        }
        return Strided.coalesce(v);
    }

    /** int64 and bool values go through exact long chunks; float values through double chunks. */
    static boolean exactLong(DType dtype) {
        return dtype == DType.INT64 || dtype == DType.BOOL;
    }
}
