package dev.kiln.cpu;

import dev.kiln.DType;
import dev.kiln.Shape;
import dev.kiln.spi.NdArray;

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

    /**
     * One run: out[oo + i] = f(in[k][io[k] + i * is[k]]) for i &lt; len, with every is[k] 0 (broadcast)
     * or 1; arrays are the storages' own (float[], boolean[], ...), read and written in place.
     */
    @FunctionalInterface
    interface RunKernel {
        void apply(Object out, int oo, Object[] in, int[] io, int[] is, int len);
    }

    /** Elements per parallel piece of {@link #intoRuns}: its loops are cheap per element. */
    private static final int RUN_GRAIN = 1 << 15;

    static NdArray newArray(int[] shape, DType dtype) {
        return NdArray.of(CpuStorage.allocate(dtype, Shape.numel(shape)), shape);
    }

    /** A new contiguous tensor whose contents are unspecified (as torch.empty): for kernels that write every element. */
    static NdArray emptyArray(int[] shape, DType dtype) {
        return NdArray.of(CpuStorage.allocate(dtype, Shape.numel(shape), false), shape);
    }

    /** A contiguous tensor over data (float[], double[], long[] or boolean[]; kept, not copied). */
    static NdArray ofArray(Object data, int... shape) {
        return NdArray.of(new CpuStorage(data), shape);
    }

    static NdArray mapDouble(int[] shape, DType outType, DoubleKernel f, NdArray... inputs) {
        NdArray out = newArray(shape, outType);
        into(out, f, inputs);
        return out;
    }

    static NdArray mapLong(int[] shape, DType outType, LongKernel f, NdArray... inputs) {
        NdArray out = newArray(shape, outType);
        into(out, f, inputs);
        return out;
    }

    /** Writes f(inputs broadcast to out's shape) into the view out. */
    static void into(NdArray out, DoubleKernel f, NdArray... inputs) {
        Strided[] v = views(out, inputs);
        int n = out.numel();
        int chunks = (n + CHUNK - 1) / CHUNK;
        Parallel.forRange(chunks, 4, (c0, c1) -> {
            int size = Math.min(CHUNK, n); // small tensors get small buffers
            double[][] in = new double[inputs.length][size];
            double[] o = new double[size];
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

    static void into(NdArray out, LongKernel f, NdArray... inputs) {
        Strided[] v = views(out, inputs);
        int n = out.numel();
        int chunks = (n + CHUNK - 1) / CHUNK;
        Parallel.forRange(chunks, 4, (c0, c1) -> {
            int size = Math.min(CHUNK, n); // small tensors get small buffers
            long[][] in = new long[inputs.length][size];
            long[] o = new long[size];
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

    /**
     * Writes f(inputs broadcast to out's shape) into out run by run along the last (coalesced) dim,
     * without going through double or long chunks, when out's runs are contiguous and every input's
     * contiguous or broadcast; returns false, with nothing written, when they are not.
     */
    static boolean intoRuns(NdArray out, RunKernel f, NdArray... inputs) {
        Strided[] v = views(out, inputs);
        int r = v[0].shape.length;
        int last = r == 0 ? 1 : v[0].shape[r - 1];
        int[] is = new int[inputs.length];
        for (int k = 0; k < inputs.length; k++) {
            is[k] = r == 0 ? 0 : v[k + 1].stride[r - 1];
            if (is[k] != 0 && is[k] != 1) {
                return false;
            }
        }
        if (r > 0 && v[0].stride[r - 1] != 1) {
            return false;
        }
        int rows = out.numel() / Math.max(1, last);
        // long runs are cut into segments, so a contiguous tensor (one run) still spreads over the threads
        int segments = Math.max(1, (last + RUN_GRAIN - 1) / RUN_GRAIN);
        int segment = (last + segments - 1) / segments;
        Object[] in = new Object[inputs.length];
        for (int k = 0; k < inputs.length; k++) {
            in[k] = v[k + 1].data;
        }
        Parallel.forRange(rows * segments, Math.max(1, RUN_GRAIN / Math.max(1, segment)), (s0, s1) -> {
            int[] io = new int[inputs.length];
            for (int s = s0; s < s1; s++) {
                int row = s / segments;
                int start = (s - row * segments) * segment;
                for (int k = 0; k < inputs.length; k++) {
                    io[k] = v[k + 1].rowOffset(row) + start * is[k];
                }
                f.apply(v[0].data, v[0].rowOffset(row) + start, in, io, is, Math.min(segment, last - start));
            }
        });
        return true;
    }

    private static Strided[] views(NdArray out, NdArray[] inputs) {
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
