package dev.kiln.cpu;

import dev.kiln.Shape;
import dev.kiln.spi.NdArray;

/** gather, scatter_add, index_select, index_add and cat. Every index is range-checked first. */
final class CpuIndexing {
    private CpuIndexing() {
    }

    private static Object data(NdArray contiguous) {
        return CpuStorage.array(contiguous);
    }

    /** Row-major index values, checked against [0, size). */
    private static long[] checkedIndex(String op, NdArray index, int dim, int size) {
        NdArray c = CpuElementwise.asContiguous(index); // the index's own array where it is one, not a copy
        long[] all = (long[]) data(c);
        long[] idx = c.storageOffset() == 0 && all.length == c.numel() ? all
                : java.util.Arrays.copyOfRange(all, c.storageOffset(), c.storageOffset() + c.numel());
        for (long v : idx) {
            if (v < 0 || v >= size) {
                throw new IndexOutOfBoundsException(op + ": index " + v + " is out of bounds for dim " + dim
                        + " with size " + size);
            }
        }
        return idx;
    }

    /**
     * For each element of an index-shaped iteration, the offset in a contiguous tensor of shape
     * {@code target} with the index value substituted at dim.
     */
    private static int[] offsets(int[] indexShape, long[] idx, int dim, int[] target) {
        int[] ts = Shape.contiguousStrides(target);
        int n = idx.length;
        int[] out = new int[n];
        int r = indexShape.length;
        int[] pos = new int[r];
        for (int i = 0; i < n; i++) {
            int off = 0;
            for (int d = 0; d < r; d++) {
                off += (d == dim ? (int) idx[i] : pos[d]) * ts[d];
            }
            out[i] = off;
            for (int d = r - 1; d >= 0; d--) {
                if (++pos[d] < indexShape[d]) {
                    break;
                }
                pos[d] = 0;
            }
        }
        return out;
    }

    static NdArray gather(NdArray x, int dim, NdArray index) {
        NdArray xc = CpuElementwise.contiguous(x);
        long[] idx = checkedIndex("gather", index, dim, x.size(dim));
        int[] src = offsets(index.shape(), idx, dim, x.shape());
        NdArray out = CpuMap.newArray(index.shape(), x.dtype());
        Object a = data(xc);
        Object o = data(out);
        for (int i = 0; i < src.length; i++) {
            moveElement(a, src[i], o, i);
        }
        return out;
    }

    static NdArray scatterAdd(NdArray x, int dim, NdArray index, NdArray src) {
        NdArray out = CpuElementwise.contiguous(x);
        long[] idx = checkedIndex("scatter_add", index, dim, x.size(dim));
        int[] dst = offsets(index.shape(), idx, dim, x.shape());
        NdArray s = CpuElementwise.contiguous(leading(src, index.shape())); // index may be smaller than src
        addElements(data(s), dst, data(out));
        return out;
    }

    static NdArray indexSelect(NdArray x, int dim, NdArray index) {
        NdArray xc = CpuElementwise.contiguous(x);
        long[] idx = checkedIndex("index_select", index, dim, x.size(dim));
        int[] shape = x.shape();
        int outer = 1;
        for (int d = 0; d < dim; d++) {
            outer *= shape[d];
        }
        int inner = x.numel() / Math.max(1, outer * shape[dim]);
        int size = shape[dim];
        shape[dim] = idx.length;
        NdArray out = CpuMap.newArray(shape, x.dtype());
        Object a = data(xc);
        Object o = data(out);
        Parallel.forRange(outer * idx.length, Math.max(1, 16384 / Math.max(inner, 1)),
                (b0, b1) -> selectRows(a, o, idx, size, inner, b0, b1));
        return out;
    }

    /** Rows [b0, b1) of index_select's output (outer block b / idx.length, index b % idx.length), inner elements each. */
    private static void selectRows(Object a, Object o, long[] idx, int size, int inner, int b0, int b1) {
        int n = idx.length;
        if (inner == 1 && a instanceof float[] af) { // single elements (interpolate along W): an arraycopy each cost 10x
            float[] of = (float[]) o;
            for (int b = b0, ob = b0 / n, j = b0 % n; b < b1; b++) {
                of[b] = af[ob * size + (int) idx[j]];
                if (++j == n) {
                    j = 0;
                    ob++;
                }
            }
            return;
        }
        for (int b = b0; b < b1; b++) {
            System.arraycopy(a, (b / n * size + (int) idx[b % n]) * inner, o, b * inner, inner);
        }
    }

    static NdArray indexAdd(NdArray x, int dim, NdArray index, NdArray src) {
        NdArray out = CpuElementwise.contiguous(x);
        long[] idx = checkedIndex("index_add", index, dim, x.size(dim));
        NdArray sc = CpuElementwise.asContiguous(src); // read only: no copy when contiguous
        int[] shape = x.shape();
        int outer = 1;
        for (int d = 0; d < dim; d++) {
            outer *= shape[d];
        }
        int inner = x.numel() / Math.max(1, outer * shape[dim]);
        int size = shape[dim];
        Object s = data(sc);
        Object o = data(out);
        // row by row, in index order (an embedding's gradient: rows of its width added at the tokens' ids); an
        // element-index array, built first, cost as much as the adds
        if (inner == 1 && s instanceof float[] sf) { // single elements (interpolate's gradient along W)
            float[] of = (float[]) o;
            for (int ob = 0, from = sc.storageOffset(); ob < outer; ob++) {
                for (long i : idx) {
                    of[ob * size + (int) i] += sf[from++];
                }
            }
            return out;
        }
        for (int ob = 0, from = sc.storageOffset(); ob < outer; ob++) {
            for (long i : idx) {
                addRow(s, from, o, (ob * size + (int) i) * inner, inner);
                from += inner;
            }
        }
        return out;
    }

    static NdArray cat(NdArray[] xs, int dim) {
        int[] shape = xs[0].shape();
        int total = 0;
        for (NdArray t : xs) {
            total += t.size(dim);
        }
        shape[dim] = total;
        NdArray out = CpuMap.newArray(shape, xs[0].dtype());
        int off = 0;
        for (NdArray t : xs) {
            if (t.numel() > 0) {
                CpuElementwise.copyInto(out.narrow(dim, off, t.size(dim)), t);
            }
            off += t.size(dim);
        }
        return out;
    }

    /** The leading {@code shape} block of t (a view). */
    private static NdArray leading(NdArray t, int[] shape) {
        for (int d = 0; d < shape.length; d++) {
            t = t.narrow(d, 0, shape[d]);
        }
        return t;
    }

    private static void moveElement(Object a, int ai, Object o, int oi) {
        if (a instanceof float[] f) {
            ((float[]) o)[oi] = f[ai];
        } else if (a instanceof double[] d) {
            ((double[]) o)[oi] = d[ai];
        } else if (a instanceof long[] l) {
            ((long[]) o)[oi] = l[ai];
        } else if (a instanceof short[] h) {
            ((short[]) o)[oi] = h[ai];
        } else {
            ((boolean[]) o)[oi] = ((boolean[]) a)[ai];
        }
    }

    /** out[to, to + len) += src[from, from + len) (bool: |=). */
    private static void addRow(Object src, int from, Object out, int to, int len) {
        if (src instanceof float[] s) {
            float[] o = (float[]) out;
            for (int i = 0; i < len; i++) {
                o[to + i] += s[from + i];
            }
        } else if (src instanceof double[] s) {
            double[] o = (double[]) out;
            for (int i = 0; i < len; i++) {
                o[to + i] += s[from + i];
            }
        } else if (src instanceof long[] s) {
            long[] o = (long[]) out;
            for (int i = 0; i < len; i++) {
                o[to + i] += s[from + i];
            }
        } else {
            boolean[] s = (boolean[]) src;
            boolean[] o = (boolean[]) out;
            for (int i = 0; i < len; i++) {
                o[to + i] |= s[from + i];
            }
        }
    }

    private static void addElements(Object src, int[] dst, Object out) {
        if (src instanceof float[] s) {
            float[] o = (float[]) out;
            for (int i = 0; i < dst.length; i++) {
                o[dst[i]] += s[i];
            }
        } else if (src instanceof double[] s) {
            double[] o = (double[]) out;
            for (int i = 0; i < dst.length; i++) {
                o[dst[i]] += s[i];
            }
        } else if (src instanceof long[] s) {
            long[] o = (long[]) out;
            for (int i = 0; i < dst.length; i++) {
                o[dst[i]] += s[i];
            }
        } else {
            boolean[] s = (boolean[]) src;
            boolean[] o = (boolean[]) out;
            for (int i = 0; i < dst.length; i++) {
                o[dst[i]] |= s[i];
            }
        }
    }
}
