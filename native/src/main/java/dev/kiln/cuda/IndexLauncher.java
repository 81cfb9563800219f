package dev.kiln.cuda;

import dev.kiln.DType;
import dev.kiln.Shape;
import dev.kiln.spi.NdArray;
import java.util.OptionalLong;

/**
 * kernels/index.cu: gather, scatter_add, index_select, index_add (all along one dim) and cat.
 * index_select and index_add run as gather and scatter_add with the 1-D index expanded (stride 0)
 * over the other dims; cat is one strided copy (kernels/copy.cu) per piece.
 *
 * <p>Every index is range-checked on the device before the op's kernel runs; the check's verdict
 * comes back in 8 bytes (so each indexing op synchronizes its stream once), and a bad index throws
 * the CPU backend's IndexOutOfBoundsException naming the first bad value in row-major order.
 *
 * <p>Determinism: Kiln has no switch like {@code torch.use_deterministic_algorithms}, so the dtype
 * decides. float32 and int64 scatter_add / index_add add atomically, one thread per index element
 * (fast; float32 sums onto a duplicated index may round differently run to run, int64 is exact).
 * float64, the gradient-check dtype, gives each thread a whole line of the output along dim and
 * adds in index order: bit-identical to the CPU backend, every run, but with only (index elements
 * / index size at dim) threads.
 */
final class IndexLauncher extends Launcher {
    private final CopyLauncher copies;

    IndexLauncher(CudaContext context, CopyLauncher copies) {
        super(context);
        this.copies = copies;
    }

    /** out (index's shape) = x with the coordinate at dim taken from index. */
    NdArray gather(NdArray x, int dim, NdArray index) {
        checkInRange("gather", index, dim, x.size(dim));
        return gatherChecked(x, dim, index);
    }

    /** out (x's shape, index.size(0) at dim) = x at the positions of the 1-D index along dim. */
    NdArray indexSelect(NdArray x, int dim, NdArray index) {
        checkInRange("index_select", index, dim, x.size(dim));
        int[] shape = x.shape();
        shape[dim] = index.size(0);
        return gatherChecked(x, dim, expandAlong(index, dim, shape));
    }

    /** A copy of x with src (only its leading index-shaped block) added at index along dim. */
    NdArray scatterAdd(NdArray x, int dim, NdArray index, NdArray src) {
        checkInRange("scatter_add", index, dim, x.size(dim));
        return scatterAddChecked("scatter_add", x, dim, index, src);
    }

    /** A copy of x with src.select(dim, i) added at index[i] along dim. */
    NdArray indexAdd(NdArray x, int dim, NdArray index, NdArray src) {
        checkInRange("index_add", index, dim, x.size(dim));
        return scatterAddChecked("index_add", x, dim, expandAlong(index, dim, src.shape()), src);
    }

    /** Pieces of equal shape but at dim, copied one after another into a new tensor. */
    NdArray cat(NdArray[] xs, int dim) {
        int[] shape = xs[0].shape();
        shape[dim] = 0;
        for (NdArray x : xs) {
            shape[dim] += x.size(dim);
        }
        NdArray out = newArray(shape, xs[0].dtype());
        int at = 0;
        for (NdArray x : xs) {
            copies.copy(x, out.narrow(dim, at, x.size(dim)));   // nothing to copy for an empty piece
            at += x.size(dim);
        }
        return out;
    }

    /**
     * The first value of index (row-major) outside [0, size), if any. Reads back 8 bytes, so it
     * waits for the stream.
     */
    OptionalLong firstOutOfRange(NdArray index, long size) {
        int n = index.numel();
        if (n == 0) {
            return OptionalLong.empty();
        }
        KernelLayout.checkRank("index check", index.shape());
        int bad = firstFlagged("index", "index_check_i64", n, new KernelArgs().ptr(index)
                .bytes(KernelLayout.shape8(index.shape())).bytes(KernelLayout.strides8(index, index.shape())).i32(n).i64(size));
        return bad < 0 ? OptionalLong.empty() : OptionalLong.of(element(index, bad));
    }

    private void checkInRange(String op, NdArray index, int dim, int size) {
        OptionalLong bad = firstOutOfRange(index, size);
        if (bad.isPresent()) {
            throw new IndexOutOfBoundsException(op + ": index " + bad.getAsLong() + " is out of bounds for dim " + dim
                    + " with size " + size);
        }
    }

    /** Element {@code pos} (row-major) of the int64 view t, read from the device. */
    long element(NdArray t, int pos) {
        int offset = t.storageOffset();
        for (int d = t.dim() - 1; d >= 0; d--) {
            offset += (pos % t.size(d)) * t.stride(d);
            pos /= t.size(d);
        }
        long[] v = new long[1];
        context.api().copyToHost(v, 0, ((CudaStorage) t.storage()).address(offset), 8, context.stream().handle());
        return v[0];
    }

    /** The 1-D index viewed as {@code shape} (its length at dim), repeated (stride 0) over the other dims. */
    private static NdArray expandAlong(NdArray index, int dim, int[] shape) {
        int[] stride = new int[shape.length];
        stride[dim] = index.stride(0);
        return NdArray.of(index.storage(), shape, stride, index.storageOffset());
    }

    /** t with stride 0 at dim: the index supplies that coordinate. */
    private static NdArray zeroedAt(NdArray t, int dim) {
        int[] stride = t.stride();
        stride[dim] = 0;
        return NdArray.of(t.storage(), t.shape(), stride, t.storageOffset());
    }

    private NdArray gatherChecked(NdArray x, int dim, NdArray index) {
        DType t = x.dtype();
        int[] shape = index.shape();
        KernelLayout.checkRank("gather", shape);
        NdArray out = newArray(shape, t);
        int n = out.numel();
        if (n > 0) {
            launch("index", t, "gather_" + KernelLayout.suffix(t), gridFor(n, BLOCK), Dim3.of(BLOCK), 0, new KernelArgs()
                    .ptr(x).ptr(index).ptr(out).bytes(KernelLayout.shape8(shape))
                    .bytes(KernelLayout.strides8(zeroedAt(x, dim), shape)).bytes(KernelLayout.strides8(index, shape))
                    .i32(x.stride(dim)).i32(n));
        }
        return out;
    }

    private NdArray scatterAddChecked(String op, NdArray x, int dim, NdArray index, NdArray src) {
        DType t = x.dtype();
        if (t == DType.BOOL) {
            throw unsupported(op, t);
        }
        KernelLayout.checkRank(op, x.shape());
        NdArray out = copies.contiguous(x);
        int[] lines = index.shape();   // (.., index.size(dim), ..), or size 1 at dim when a thread walks it
        if (Shape.numel(lines) == 0) {
            return out;
        }
        boolean atomic = t != DType.FLOAT64;
        int walk = 1;
        if (!atomic) {
            walk = lines[dim];
            lines[dim] = 1;
        }
        int n = Shape.numel(lines);
        launch("index", t, "scatter_add_" + KernelLayout.suffix(t), gridFor(n, BLOCK), Dim3.of(BLOCK), 0, new KernelArgs()
                .ptr(index).ptr(src).ptr(out).bytes(KernelLayout.shape8(lines))
                .bytes(KernelLayout.strides8(index, lines)).bytes(KernelLayout.strides8(src, lines))
                .bytes(KernelLayout.strides8(zeroedAt(out, dim), lines)).i32(n).i32(walk)
                .i32(index.stride(dim)).i32(src.stride(dim)).i32(out.stride(dim)).i32(atomic ? 1 : 0));
        return out;
    }
}
