package dev.kiln.cpu;

import dev.kiln.DType;
import dev.kiln.HalfFloats;
import dev.kiln.Shape;
import dev.kiln.spi.NdArray;

/**
 * A tensor view read (or written) in row-major order of an iteration shape it broadcasts to.
 * Loops move whole runs along the last dim; {@link #read} and {@link #write} convert to and from
 * double (float dtypes; bfloat16 and float16 through float) or long (int64, bool) chunks, so one op
 * loop serves every dtype.
 */
final class Strided {
    final Object data;
    final DType dtype;
    final int[] shape;
    final int[] stride;
    final int offset;

    private Strided(Object data, DType dtype, int[] shape, int[] stride, int offset) {
        this.data = data;
        this.dtype = dtype;
        this.shape = shape;
        this.stride = stride;
        this.offset = offset;
    }

    /** x read as if it had shape {@code target} (broadcast dims get stride 0). */
    static Strided of(NdArray x, int[] target) {
        return new Strided(CpuStorage.array(x), x.dtype(),
                target, Shape.broadcastStrides(x.shape(), x.stride(), target), x.storageOffset());
    }

    static Strided of(NdArray x) {
        return of(x, x.shape());
    }

    /**
     * Views over one iteration shape with dims merged where every view is contiguous across them,
     * so runs along the last dim are as long as possible.
     */
    static Strided[] coalesce(Strided... views) {
        int[] shape = views[0].shape;
        int r = shape.length;
        int[] keep = new int[r];
        int n = 0;
        int[] newShape = new int[r];
        int[][] newStride = new int[views.length][r];
        for (int d = 0; d < r; d++) {
            if (shape[d] == 1) {
                continue; // size-1 dims never move an offset
            }
            if (n > 0) {
                boolean merge = true;
                for (Strided v : views) {
                    merge &= v.stride[keep[n - 1]] == v.stride[d] * shape[d];
                }
                if (merge) {
                    newShape[n - 1] *= shape[d];
                    for (int k = 0; k < views.length; k++) {
                        newStride[k][n - 1] = views[k].stride[d];
                    }
                    keep[n - 1] = d;
                    continue;
                }
            }
            keep[n] = d;
            newShape[n] = shape[d];
            for (int k = 0; k < views.length; k++) {
                newStride[k][n] = views[k].stride[d];
            }
            n++;
        }
        Strided[] out = new Strided[views.length];
        int[] s = java.util.Arrays.copyOf(newShape, n);
        for (int k = 0; k < views.length; k++) {
            Strided v = views[k];
            out[k] = new Strided(v.data, v.dtype, s, java.util.Arrays.copyOf(newStride[k], n), v.offset);
        }
        return out;
    }

    /** Storage offset of the element at row-major position {@code pos}, and the cursor for it. */
    private int start(int pos, int[] idx) {
        int off = offset;
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = pos % shape[d];
            pos /= shape[d];
            off += idx[d] * stride[d];
        }
        return off;
    }

    /** Storage offset of the first element of row {@code row}, a row being one run along the last dim. */
    int rowOffset(int row) {
        int off = offset;
        for (int d = shape.length - 2; d >= 0; d--) {
            off += (row % shape[d]) * stride[d];
            row /= shape[d];
        }
        return off;
    }

    /** Advances idx past a finished last-dim run; returns the new offset. */
    private int carry(int[] idx, int off) {
        int r = shape.length;
        off -= shape[r - 1] * stride[r - 1];
        idx[r - 1] = 0;
        for (int d = r - 2; d >= 0; d--) {
            idx[d]++;
            off += stride[d];
            if (idx[d] < shape[d]) {
                break;
            }
            off -= shape[d] * stride[d];
            idx[d] = 0;
        }
        return off;
    }

    /** buf[0..len) = elements pos..pos+len-1 as doubles. */
    void read(int pos, int len, double[] buf) {
        if (shape.length == 0) {
            buf[0] = getDouble(offset);
            return;
        }
        int[] idx = new int[shape.length];
        int off = start(pos, idx);
        int last = shape[shape.length - 1];
        int ls = stride[shape.length - 1];
        for (int p = 0; p < len; ) {
            int run = Math.min(last - idx[shape.length - 1], len - p);
            switch (dtype) {
                case FLOAT32: {
                    float[] a = (float[]) data;
                    for (int k = 0, o = off; k < run; k++, o += ls) {
                        buf[p + k] = a[o];
                    }
                    break;
                }
                case FLOAT64: {
                    double[] a = (double[]) data;
                    if (ls == 1) {
                        System.arraycopy(a, off, buf, p, run);
                    } else {
                        for (int k = 0, o = off; k < run; k++, o += ls) {
                            buf[p + k] = a[o];
                        }
                    }
                    break;
                }
                case INT64: {
                    long[] a = (long[]) data;
                    for (int k = 0, o = off; k < run; k++, o += ls) {
                        buf[p + k] = a[o];
                    }
                    break;
                }
                case BFLOAT16:
                case FLOAT16: {
                    short[] a = (short[]) data;
                    for (int k = 0, o = off; k < run; k++, o += ls) {
                        buf[p + k] = HalfFloats.toFloat(dtype, a[o]);
                    }
                    break;
                }
                default: {
                    boolean[] a = (boolean[]) data;
                    for (int k = 0, o = off; k < run; k++, o += ls) {
                        buf[p + k] = a[o] ? 1 : 0;
                    }
                }
            }
            p += run;
            off += run * ls;
            idx[shape.length - 1] += run;
            if (idx[shape.length - 1] == last && p < len) {
                off = carry(idx, off);
            }
        }
    }

    /** buf[0..len) = elements pos..pos+len-1 as longs (int64 and bool exactly; floats truncated). */
    void read(int pos, int len, long[] buf) {
        if (shape.length == 0) {
            buf[0] = getLong(offset);
            return;
        }
        int[] idx = new int[shape.length];
        int off = start(pos, idx);
        int last = shape[shape.length - 1];
        int ls = stride[shape.length - 1];
        for (int p = 0; p < len; ) {
            int run = Math.min(last - idx[shape.length - 1], len - p);
            for (int k = 0, o = off; k < run; k++, o += ls) {
                buf[p + k] = getLong(o);
            }
            p += run;
            off += run * ls;
            idx[shape.length - 1] += run;
            if (idx[shape.length - 1] == last && p < len) {
                off = carry(idx, off);
            }
        }
    }

    /** Elements pos..pos+len-1 = buf[0..len), converted to this view's dtype. */
    void write(int pos, int len, double[] buf) {
        if (shape.length == 0) {
            setDouble(offset, buf[0]);
            return;
        }
        int[] idx = new int[shape.length];
        int off = start(pos, idx);
        int last = shape[shape.length - 1];
        int ls = stride[shape.length - 1];
        for (int p = 0; p < len; ) {
            int run = Math.min(last - idx[shape.length - 1], len - p);
            switch (dtype) {
                case FLOAT32: {
                    float[] a = (float[]) data;
                    for (int k = 0, o = off; k < run; k++, o += ls) {
                        a[o] = (float) buf[p + k];
                    }
                    break;
                }
                case FLOAT64: {
                    double[] a = (double[]) data;
                    for (int k = 0, o = off; k < run; k++, o += ls) {
                        a[o] = buf[p + k];
                    }
                    break;
                }
                default:
                    for (int k = 0, o = off; k < run; k++, o += ls) {
                        setDouble(o, buf[p + k]);
                    }
            }
            p += run;
            off += run * ls;
            idx[shape.length - 1] += run;
            if (idx[shape.length - 1] == last && p < len) {
                off = carry(idx, off);
            }
        }
    }

    /** Elements pos..pos+len-1 = buf[0..len), exactly for int64 and bool. */
    void write(int pos, int len, long[] buf) {
        if (shape.length == 0) {
            setLong(offset, buf[0]);
            return;
        }
        int[] idx = new int[shape.length];
        int off = start(pos, idx);
        int last = shape[shape.length - 1];
        int ls = stride[shape.length - 1];
        for (int p = 0; p < len; ) {
            int run = Math.min(last - idx[shape.length - 1], len - p);
            for (int k = 0, o = off; k < run; k++, o += ls) {
                setLong(o, buf[p + k]);
            }
            p += run;
            off += run * ls;
            idx[shape.length - 1] += run;
            if (idx[shape.length - 1] == last && p < len) {
                off = carry(idx, off);
            }
        }
    }

    double getDouble(int o) {
        switch (dtype) {
            case FLOAT32: return ((float[]) data)[o];
            case FLOAT64: return ((double[]) data)[o];
            case BFLOAT16: case FLOAT16: return HalfFloats.toFloat(dtype, ((short[]) data)[o]);
            case INT64: return ((long[]) data)[o];
            default: return ((boolean[]) data)[o] ? 1 : 0;
        }
    }

    long getLong(int o) {
        switch (dtype) {
            case FLOAT32: return (long) ((float[]) data)[o];
            case FLOAT64: return (long) ((double[]) data)[o];
            case BFLOAT16: case FLOAT16: return (long) HalfFloats.toFloat(dtype, ((short[]) data)[o]);
            case INT64: return ((long[]) data)[o];
            default: return ((boolean[]) data)[o] ? 1 : 0;
        }
    }

    void setDouble(int o, double v) {
        switch (dtype) {
            case FLOAT32: ((float[]) data)[o] = (float) v; break;
            case FLOAT64: ((double[]) data)[o] = v; break;
            case BFLOAT16: case FLOAT16: ((short[]) data)[o] = HalfFloats.fromFloat(dtype, (float) v); break;
            case INT64: ((long[]) data)[o] = (long) v; break;
            default: ((boolean[]) data)[o] = v != 0;
        }
    }

    void setLong(int o, long v) {
        switch (dtype) {
            case FLOAT32: ((float[]) data)[o] = v; break;
            case FLOAT64: ((double[]) data)[o] = v; break;
            case BFLOAT16: case FLOAT16: ((short[]) data)[o] = HalfFloats.fromFloat(dtype, v); break;
            case INT64: ((long[]) data)[o] = v; break;
            default: ((boolean[]) data)[o] = v != 0;
        }
    }
}
